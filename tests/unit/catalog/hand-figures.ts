/**
 * The hand-computed preset figures of tests/fixtures/catalog/preset-figures.json and a small
 * evaluator for their `expr` strings (integers, + − ×, parentheses), so that each figure's written-out
 * arithmetic is checked rather than trusted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./fixture.ts";

export interface Figure {
  expr: string;
  value: number;
}

export interface HandFigures {
  id: string;
  name: string;
  config: string;
  kvBytesPerTokenF16: Figure;
  swaBytesPerCellF16: Figure;
  recurrentStateBytesPerSeqF32: Figure;
  kvLayers: number;
  recurrentLayers: number;
  how: string;
}

export const HAND_FIGURES_FILE = join(REPO_ROOT, "tests/fixtures/catalog/preset-figures.json");

export function handFigures(): HandFigures[] {
  return (JSON.parse(readFileSync(HAND_FIGURES_FILE, "utf8")) as { presets: HandFigures[] }).presets;
}

/** Evaluate `a * (b + c) - d`-style integer arithmetic; anything else throws. */
export function evalArithmetic(expr: string): number {
  const tokens = expr.match(/\d+|[-+*()]|\S/g) ?? [];
  let i = 0;
  const next = (): string => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`${expr}: unexpected end`);
    return t;
  };
  const atom = (): number => {
    const t = next();
    if (t === "(") {
      const v = sum();
      if (next() !== ")") throw new Error(`${expr}: ")" expected`);
      return v;
    }
    if (!/^\d+$/.test(t)) throw new Error(`${expr}: unexpected "${t}"`);
    return Number(t);
  };
  const product = (): number => {
    let v = atom();
    while (tokens[i] === "*") {
      i++;
      v *= atom();
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === "+" || tokens[i] === "-") v = next() === "+" ? v + product() : v - product();
    return v;
  };
  const v = sum();
  if (i !== tokens.length) throw new Error(`${expr}: trailing "${tokens[i]}"`);
  return v;
}
