import type { Adapter } from './contract.js';

/** `base[key]` bound to `base` when it is a method; undefined when it is not, or reading it throws (a hostile getter). */
function methodOf<K extends 'schedule' | 'scheduleValues'>(base: Adapter, key: K): Adapter[K] | undefined {
  try {
    const own = base[key];
    return typeof own === 'function' ? (own.bind(base) as Adapter[K]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An adapter as a layer shows it (the guard, a law's view, an explanation's model):
 * `base`'s declaration (`name`, `dtype`, `precision`, `arithmetic`, `optimizers`, `schedules`), its `create`
 * and its schedule methods, bound, with `overrides` in their place (symbol keys
 * included). The one way a layer wraps an adapter, so that no wrapper forgets a
 * member of the contract.
 */
export function adapterView<T extends Partial<Adapter> | object>(base: Adapter, overrides: T): Adapter & T {
  const view: Adapter = {
    name: base.name,
    dtype: base.dtype,
    optimizers: base.optimizers,
    create: (config, x0) => base.create(config, x0),
  };
  if (base.precision !== undefined) view.precision = base.precision;
  if (base.arithmetic !== undefined) view.arithmetic = base.arithmetic;
  if (base.schedules !== undefined) view.schedules = base.schedules;
  const schedule = methodOf(base, 'schedule');
  if (schedule !== undefined) view.schedule = schedule;
  const scheduleValues = methodOf(base, 'scheduleValues');
  if (scheduleValues !== undefined) view.scheduleValues = scheduleValues;
  return Object.assign(view, overrides);
}
