/** A metric out of its tolerance, as vqsim check reports it. */
export interface DriftRow {
  scenario: string;
  variant: string;
  metric: string;
  reference: string;
  current: string;
  change: string;
  tolerance: string;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);

/** JUnit XML (the shape CI systems' test reporters read): one test case per checked scenario, failed
 *  with its drifted metrics. */
export function junitReport(checked: string[], drifts: DriftRow[]): string {
  const cases = checked.map((name) => {
    const mine = drifts.filter((d) => d.scenario === name);
    if (mine.length === 0) return `    <testcase classname="vqsim.check" name="${escapeXml(name)}"/>`;
    const lines = mine.map((d) => `${d.variant} ${d.metric}: ${d.reference} -> ${d.current} (${d.change}, tolerance ${d.tolerance})`);
    return [
      `    <testcase classname="vqsim.check" name="${escapeXml(name)}">`,
      `      <failure message="${mine.length} metrics drifted beyond tolerance" type="drift">${escapeXml(lines.join('\n'))}</failure>`,
      '    </testcase>',
    ].join('\n');
  });
  const failures = new Set(drifts.map((d) => d.scenario)).size;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vqsim check" tests="${checked.length}" failures="${failures}">`,
    `  <testsuite name="vqsim check" tests="${checked.length}" failures="${failures}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The same as JSON, for scripts. */
export function jsonReport(checked: string[], drifts: DriftRow[]): string {
  return `${JSON.stringify({ checked, passed: drifts.length === 0, drifts }, null, 2)}\n`;
}
