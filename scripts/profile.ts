// Placeholder until its issue lands: says so plainly and exits 1.
console.error("npm run profile: not yet implemented");
process.exit(1);
