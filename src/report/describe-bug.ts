/** The known bug a finding or a verdict names, with where it is described. */
export function describeBug(bug: string): string {
  return `known bug ${bug} (docs/conventions.md, "Known bugs"; cannot be accepted)`;
}
