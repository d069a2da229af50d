"""The engine: takes snapshots, makes plans and applies them, wiring providers, planner and history."""
