"""The bottom layer: every SQL statement of the gateway, per domain; nothing of GraphQL or HTTP."""
