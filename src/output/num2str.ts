/** fio's units for num2str (lib/num2str.h, enum n2s_unit). */
export type N2sUnit = '' | 'B' | 'B/s';

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const IEC = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * fio's num2str (lib/num2str.c), which its normal output prints every size and rate with: divides by
 * 1000 (or 1024 with pow2) until the integer part has at most `maxlen` digits, then fills the room
 * left with decimals of the remainder ("1086MiB/s", "10.6GiB", "278k"), rounding as fio does (the
 * remainder's decimals carry into the integer at .5 and up).
 */
export function num2str(num: number, maxlen: number, pow2: boolean, unit: N2sUnit): string {
  const thousand = pow2 ? 1024 : 1000;
  const prefix = pow2 ? IEC : SI;
  let n = Math.floor(num), post = 0, modulo = -1, carry = false;
  while (post < SI.length) {
    if (String(n).length <= maxlen) break;
    modulo = n % thousand;
    n = Math.floor(n / thousand);
    carry = modulo >= thousand / 2;
    post++;
  }
  if (post >= SI.length) post = 0;
  if (modulo === -1) return `${n}${prefix[post]}${unit}`;
  const room = maxlen - String(n).length;
  if (room <= 1) return `${carry ? n + 1 : n}${prefix[post]}${unit}`;
  const decimals = (modulo / thousand).toFixed(room - 1);
  if (decimals[0] === '1') n++;
  return `${n}.${decimals.slice(2)}${prefix[post]}${unit}`;
}
