/**
 * Placement of the figures' direct labels (a rule's name at the end of its path, a
 * schedule's at t = 100) so that no two overlap and, where the paths allow, none
 * covers a drawn point. Vega-Lite has no label placement of its own for layered
 * text marks, so the positions are computed here, in pixels of the plot area, and
 * handed to it in data units.
 */

/** A label to place: its text and the point it names, in pixels (x right, y down). */
export interface LabelRequest {
  text: string;
  x: number;
  y: number;
}

/** A placed label: its box's left edge and vertical middle, and whether a leader line joins it to its point. */
export interface PlacedLabel {
  text: string;
  left: number;
  middle: number;
  width: number;
  /** The labelled point. */
  x: number;
  y: number;
  leader: boolean;
}

/** Where labels may go, and what they should not cover. */
export interface PlacementOptions {
  /** The area a label's box must stay inside, in pixels. */
  bounds: { left: number; top: number; right: number; bottom: number };
  /** Drawn points a label should not cover (the paths' points); each covered one costs as much as 40 px of distance. */
  obstacles?: readonly { x: number; y: number }[];
  fontSize: number;
}

/**
 * Average advance of a bold sans-serif character, in ems: 0.62 covers the widest
 * of the labels' letters on average (the figures' labels are rule names), so a box
 * is never narrower than its text.
 */
const BOLD_EM = 0.62;
/** Clear space around a box, in pixels. */
const GAP = 2;
/** Beyond this distance from its point a label gets a leader line. */
const LEADER_PX = 14;

/** The width in pixels of `text` in bold at `fontSize`. */
export function labelWidth(text: string, fontSize: number): number {
  return Math.ceil(Array.from(text).length * fontSize * BOLD_EM);
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right + GAP && b.left < a.right + GAP && a.top < b.bottom + GAP && b.top < a.bottom + GAP;
}

/**
 * Places each label near its point, greedily in the order given: of the candidate
 * positions on rings of growing radius around the point (right of it first, the
 * text beginning there; left of it, the text ending there), the one that overlaps
 * no label already placed, stays inside `bounds`, and costs least, where the cost
 * is the distance plus 40 px per covered obstacle. Deterministic. Throws when a label
 * cannot be placed at all (the bounds are too small for it).
 */
export function placeLabels(requests: readonly LabelRequest[], options: PlacementOptions): PlacedLabel[] {
  const height = options.fontSize;
  const placed: PlacedLabel[] = [];
  const boxes: Box[] = [];
  const obstacles = options.obstacles ?? [];
  const { bounds } = options;
  for (const request of requests) {
    const width = labelWidth(request.text, options.fontSize);
    let best: { box: Box; cost: number } | undefined;
    for (let radius = 8; radius <= 160; radius += 4) {
      for (let k = 0; k < 24; k++) {
        const angle = (2 * Math.PI * k) / 24;
        const [dx, dy] = [radius * Math.cos(angle), radius * Math.sin(angle)];
        const left = dx >= 0 ? request.x + dx : request.x + dx - width;
        const box = {
          left,
          right: left + width,
          top: request.y + dy - height / 2,
          bottom: request.y + dy + height / 2,
        };
        if (box.left < bounds.left || box.right > bounds.right || box.top < bounds.top || box.bottom > bounds.bottom)
          continue;
        if (boxes.some((b) => overlaps(b, box))) continue;
        const covered = obstacles.filter(
          (p) => p.x >= box.left - GAP && p.x <= box.right + GAP && p.y >= box.top - GAP && p.y <= box.bottom + GAP,
        ).length;
        const cost = radius + 40 * covered;
        if (best === undefined || cost < best.cost) best = { box, cost };
      }
      // Every ring further out costs at least its radius: none can beat a cost already at or below it.
      if (best !== undefined && best.cost <= radius) break;
    }
    if (best === undefined) throw new Error(`no room for the label ${JSON.stringify(request.text)}`);
    const { box } = best;
    boxes.push(box);
    const nearestX = Math.min(Math.max(request.x, box.left), box.right);
    const nearestY = Math.min(Math.max(request.y, box.top), box.bottom);
    placed.push({
      text: request.text,
      left: box.left,
      middle: (box.top + box.bottom) / 2,
      width,
      x: request.x,
      y: request.y,
      leader: Math.hypot(nearestX - request.x, nearestY - request.y) > LEADER_PX,
    });
  }
  return placed;
}
