/** Site-wide names and the navigation, one place for the shell to read. */
export const SITE_TITLE = "Context Ceiling";
export const SITE_DESCRIPTION =
  "What fits? LLM memory profiling reports and a calculator that agrees with what llama.cpp really allocates.";

export interface NavItem {
  href: string;
  label: string;
}

export const NAV: NavItem[] = [
  { href: "/calculator/", label: "Calculator" },
  { href: "/reports/", label: "Reports" },
  { href: "/runs/", label: "Runs" },
  { href: "/models/", label: "Models" },
  { href: "/docs/memory-model/", label: "Memory model" },
];
