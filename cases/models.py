"""Tables and their invariants (clean(), constraints); no workflow."""
