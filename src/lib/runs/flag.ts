/**
 * The original report's rule, as one constant with no imports (the calculator's chart chunk
 * reads it without the cross-check's schemas): a measurement more than FLAG_PERCENT % away from
 * the calculation is flagged, and one that far above lowers the context ceiling.
 */
export const FLAG_PERCENT = 15;
