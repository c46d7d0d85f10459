"""Pure export builders: data in (loader dataclasses), bytes out. No ORM, no requests."""
