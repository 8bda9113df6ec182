// iso6346.js: ISO 6346 container numbers (owner code, category, serial,
// check digit), as fleet.ParseContainer checks them.

// checkDigit is the check digit of the first ten characters: letters count
// 10 to 38 skipping multiples of 11, each weighted by 2 to its position,
// the sum modulo 11, modulo 10.
export function checkDigit(first10) {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const ch = first10[i];
    let v;
    if (ch >= "0" && ch <= "9") {
      v = ch.charCodeAt(0) - 48;
    } else {
      v = 10;
      for (let c = 65; c < ch.charCodeAt(0); c++) {
        v++;
        if (v % 11 === 0) v++;
      }
    }
    sum += v * 2 ** i;
  }
  return (sum % 11) % 10;
}

const OWNERS = ["MSC", "CSQ", "TGH", "CAI", "TRH", "SEG", "FCI", "KZT"];

// exampleContainer is a random valid container number.
export function exampleContainer() {
  const owner = OWNERS[Math.floor(Math.random() * OWNERS.length)];
  const serial = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  const first10 = `${owner}U${serial}`;
  return first10 + checkDigit(first10);
}
