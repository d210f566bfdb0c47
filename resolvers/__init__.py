"""What each field does: check arguments and scopes, ask loaders, shape results; no SQL, no GraphQL types."""
