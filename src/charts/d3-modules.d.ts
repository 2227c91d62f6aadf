/**
 * The few d3 functions the chart writers (run-chart-svg.ts, memory-chart-svg.ts) call — the same d3 modules
 * Observable Plot draws with, so scales, ticks, tick labels, lines, areas and symbols come out
 * as Plot's do. d3 ships no TypeScript types and @types/d3-* are not installed: just what is used.
 */
declare module "d3-scale" {
  export interface ContinuousScale {
    (value: number): number;
    domain(): number[];
    domain(domain: readonly number[]): this;
    range(range: readonly number[]): this;
    nice(count?: number): this;
    ticks(count?: number): number[];
    tickFormat(count?: number, specifier?: string | ((d: number) => string)): (d: number) => string;
  }
  export interface LogScale extends ContinuousScale {
    base(base: number): this;
  }
  export function scaleLinear(): ContinuousScale;
  export function scaleLog(): LogScale;
}

declare module "d3-path" {
  export interface PathRound {
    toString(): string;
  }
  export function pathRound(digits?: number): PathRound;
}

declare module "d3-shape" {
  import type { PathRound } from "d3-path";
  export interface SymbolType {
    draw(context: PathRound, size: number): void;
  }
  export const symbolsFill: readonly SymbolType[];
  export const symbolsStroke: readonly SymbolType[];
  export const symbolDiamond: SymbolType;
  export interface Line<T> {
    (data: readonly T[]): string | null;
    x(x: (d: T) => number): this;
    y(y: (d: T) => number): this;
  }
  export function line<T>(): Line<T>;
  export interface Area<T> {
    (data: readonly T[]): string | null;
    x0(x: (d: T) => number): this;
    x1(x: (d: T) => number): this;
    y0(y: (d: T) => number): this;
    y1(y: (d: T) => number): this;
  }
  export function area<T>(): Area<T>;
}
