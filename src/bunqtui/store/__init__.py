"""bunqtui.store: private files (0700/0600, atomic, locked), the secret store, connected users."""

from bunqtui.store.files import atomic_write, ensure_private_dir, file_lock, is_private
from bunqtui.store.secrets import ProfileVault, SecretStore, SecretStoreError, check_profile_name
from bunqtui.store.users import ConnectedUser, ConnectedUsers

__all__ = [
    "ConnectedUser",
    "ConnectedUsers",
    "ProfileVault",
    "SecretStore",
    "SecretStoreError",
    "atomic_write",
    "check_profile_name",
    "ensure_private_dir",
    "file_lock",
    "is_private",
]
