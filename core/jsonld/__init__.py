"""JSON-LD for signed credentials: vendored contexts behind a loader that never fetches, and
Data Integrity proofs (eddsa-rdfc-2022) over RDFC-1.0 canonical N-Quads."""
