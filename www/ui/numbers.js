// Numbers as the lessons write them.

/** "1.23 GFLOP": floating-point operations in the largest unit that keeps a whole part. */
export function formatFlops(flops) {
  const units = [['PFLOP', 1e15], ['TFLOP', 1e12], ['GFLOP', 1e9], ['MFLOP', 1e6], ['kFLOP', 1e3]];
  const [unit, size] = units.find(([, size]) => flops >= size) ?? ['FLOP', 1];
  return `${(flops / size).toFixed(size === 1 ? 0 : 2)} ${unit}`;
}
