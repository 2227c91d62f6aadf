/**
 * A minimal DOM, just enough for Observable Plot (and the d3-selection calls inside it) to draw a
 * chart without a browser, so charts render at build time as static SVG with zero client JS.
 * Event listeners are dropped and nothing is measured: interactive tips need the real DOM.
 */

const XHTML = "http://www.w3.org/1999/xhtml";
const VOID = new Set(["br", "hr", "img", "input", "meta", "link"]);

// Most strings of a chart (numbers, paths, colours) need no escaping: test before replacing
// (serialising is a sixth of a chart's drawing time; bench: build).
const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"]/;
function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : s;
}
function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? escapeText(s).replace(/"/g, "&quot;") : s;
}

class VStyle {
  private props = new Map<string, string>();
  setProperty(name: string, value: string | null): void {
    if (value === null || value === "") this.props.delete(name);
    else this.props.set(name, String(value));
  }
  removeProperty(name: string): void {
    this.props.delete(name);
  }
  getPropertyValue(name: string): string {
    return this.props.get(name) ?? "";
  }
  toString(): string {
    return [...this.props].map(([k, v]) => `${k}:${v}`).join(";");
  }
  get size(): number {
    return this.props.size;
  }
}

export class VText {
  readonly nodeType = 3;
  parentNode: VElement | null = null;
  data: string;
  readonly ownerDocument: VDocument;
  constructor(data: string, ownerDocument: VDocument) {
    this.data = data;
    this.ownerDocument = ownerDocument;
  }
  get textContent(): string {
    return this.data;
  }
  set textContent(v: string) {
    this.data = v;
  }
  cloneNode(): VText {
    return new VText(this.data, this.ownerDocument);
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  serialize(): string {
    return escapeText(this.data);
  }
}

type VNode = VElement | VText;

export class VElement {
  readonly nodeType = 1;
  parentNode: VElement | null = null;
  childNodes: VNode[] = [];
  private attrs = new Map<string, string>();
  readonly style = new VStyle();
  // d3-selection stores bound data here.
  __data__?: unknown;
  readonly tagName: string;
  readonly namespaceURI: string;
  readonly ownerDocument: VDocument;
  constructor(tagName: string, namespaceURI: string, ownerDocument: VDocument) {
    this.tagName = tagName;
    this.namespaceURI = namespaceURI;
    this.ownerDocument = ownerDocument;
  }

  get localName(): string {
    return this.tagName;
  }
  get children(): VElement[] {
    return this.childNodes.filter((n): n is VElement => n instanceof VElement);
  }
  get firstChild(): VNode | null {
    return this.childNodes[0] ?? null;
  }
  get lastChild(): VNode | null {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }
  get nextSibling(): VNode | null {
    const sibs = this.parentNode?.childNodes ?? [];
    return sibs[sibs.indexOf(this) + 1] ?? null;
  }

  setAttribute(name: string, value: unknown): void {
    this.attrs.set(name, String(value));
  }
  setAttributeNS(_ns: string | null, name: string, value: unknown): void {
    this.setAttribute(name, value);
  }
  getAttribute(name: string): string | null {
    if (name === "style") return this.style.size ? this.style.toString() : (this.attrs.get(name) ?? null);
    return this.attrs.get(name) ?? null;
  }
  hasAttribute(name: string): boolean {
    return this.attrs.has(name);
  }
  removeAttribute(name: string): void {
    this.attrs.delete(name);
  }
  removeAttributeNS(_ns: string | null, name: string): void {
    this.attrs.delete(name);
  }

  appendChild<T extends VNode>(child: T): T {
    return this.insertBefore(child, null);
  }
  append(...nodes: Array<VNode | string>): void {
    for (const n of nodes) this.appendChild(typeof n === "string" ? this.ownerDocument.createTextNode(n) : n);
  }
  insertBefore<T extends VNode>(child: T, ref: VNode | null): T {
    child.parentNode?.removeChild(child);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(child);
    else this.childNodes.splice(i, 0, child);
    child.parentNode = this;
    return child;
  }
  removeChild<T extends VNode>(child: T): T {
    const i = this.childNodes.indexOf(child);
    if (i >= 0) this.childNodes.splice(i, 1);
    child.parentNode = null;
    return child;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  cloneNode(deep = false): VElement {
    const copy = new VElement(this.tagName, this.namespaceURI, this.ownerDocument);
    for (const [k, v] of this.attrs) copy.attrs.set(k, v);
    if (deep) for (const c of this.childNodes) copy.appendChild(c.cloneNode(true));
    return copy;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(): boolean {
    return true;
  }

  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(v: string | null) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    if (v !== null && v !== "") this.appendChild(this.ownerDocument.createTextNode(String(v)));
  }

  /** Supports the selectors Plot uses: tag names, `.class`, `tag.class` and `:scope > tag`. */
  querySelectorAll(selector: string): VElement[] {
    const out: VElement[] = [];
    const parts = selector.split(",").map((s) => s.trim());
    const matchers = parts.map((p) => {
      const direct = p.startsWith(":scope >");
      const sel = direct ? p.slice(":scope >".length).trim() : p;
      const [tag, ...classes] = sel.split(".");
      return { direct, tag: tag || "*", classes };
    });
    const visit = (el: VElement, depth: number) => {
      for (const c of el.children) {
        const cls = (c.getAttribute("class") ?? "").split(/\s+/);
        if (
          matchers.some(
            (m) =>
              (!m.direct || depth === 0) &&
              (m.tag === "*" || m.tag === c.tagName) &&
              m.classes.every((k) => cls.includes(k)),
          )
        )
          out.push(c);
        visit(c, depth + 1);
      }
    };
    visit(this, 0);
    return out;
  }
  querySelector(selector: string): VElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }

  serialize(): string {
    return this.writeTo("");
  }
  /**
   * `out` + this element's markup: one string grown in document order (no per-element arrays).
   * Attributes in the order set, `style` last, `xmlns` first on an `<svg>` that lacks it.
   */
  private writeTo(out: string): string {
    let s = `${out}<${this.tagName}`;
    if (this.tagName === "svg" && !this.attrs.has("xmlns")) s += ' xmlns="http://www.w3.org/2000/svg"';
    for (const [k, v] of this.attrs) if (k !== "style") s += ` ${k}="${escapeAttr(v)}"`;
    const style = this.style.size ? this.style.toString() : this.attrs.get("style");
    if (style !== undefined) s += ` style="${escapeAttr(style)}"`;
    if (VOID.has(this.tagName) && this.namespaceURI === XHTML) return `${s}>`;
    s += ">";
    for (const c of this.childNodes) s = c instanceof VElement ? c.writeTo(s) : s + c.serialize();
    return `${s}</${this.tagName}>`;
  }
  get outerHTML(): string {
    return this.serialize();
  }
}

export class VDocument {
  readonly documentElement: VElement;
  readonly defaultView = null;
  constructor() {
    this.documentElement = new VElement("html", XHTML, this);
  }
  createElement(tag: string): VElement {
    return new VElement(tag.toLowerCase(), XHTML, this);
  }
  createElementNS(ns: string, tag: string): VElement {
    return new VElement(tag, ns, this);
  }
  createTextNode(text: string): VText {
    return new VText(String(text), this);
  }
  querySelector(): null {
    return null;
  }
  querySelectorAll(): VElement[] {
    return [];
  }
}
