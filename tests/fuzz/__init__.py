"""Property-based fuzzing of both HTTP APIs from their own OpenAPI documents."""
