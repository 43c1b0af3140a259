/**
 * Capabilities scenarios may depend on. A step or expectation that needs one this build does not
 * have fails validation with a clear message instead of being ignored.
 */
export const CAPABILITIES: Record<string, { available: boolean; what: string }> = {
  incidents: { available: true, what: 'incident expectations need the immune system' },
  quarantine: { available: true, what: "the 'quarantined' metric needs the immune system" },
};
