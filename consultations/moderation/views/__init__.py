"""Pages of the moderation, one module per page family (as evenements/views/)."""
