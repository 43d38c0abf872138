"""Password hashes: Argon2id for every new one; werkzeug's (scrypt, PBKDF2) still verified and replaced.

`PASSWORD_HASH_METHOD` names how new passwords are hashed:

- ``argon2id`` (the default): OWASP's first recommendation at its stated minimum, 19 MiB of memory, 2 passes,
  1 lane (Password Storage Cheat Sheet). About 20 ms of CPU here, where werkzeug's default scrypt (N=2^15, below
  the cheat sheet's N=2^17 for scrypt) took 90-120 ms: at the month-end rush 2,000 sign-ins cost a third of the
  app's CPU (issue 19).
- ``argon2id:<memory KiB>:<passes>:<lanes>``: other Argon2id parameters (tests use small ones).
- anything else is a werkzeug method (``scrypt``, ``pbkdf2:sha256``, ...), as before.

Hashes of another method or other parameters keep working; a successful sign-in stores the password again with
the configured method (`needs_rehash`), so accounts move over as people sign in.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash, generate_password_hash

ARGON2_PREFIX = "$argon2"
OWASP_ARGON2ID = (19 * 1024, 2, 1)  # memory in KiB, passes, lanes


@functools.cache
def argon2_hasher(method: str) -> PasswordHasher | None:
    """The Argon2id hasher `method` names, or None for a werkzeug method. Raises ValueError on a malformed one."""
    name, _, parameters = method.partition(":")
    if name != "argon2id":
        return None
    if parameters:
        try:
            memory, passes, lanes = (int(part) for part in parameters.split(":"))
        except ValueError:
            expected = "argon2id:<memory KiB>:<passes>:<lanes>"
            raise ValueError(f"PASSWORD_HASH_METHOD {method!r}: expected {expected}") from None
    else:
        memory, passes, lanes = OWASP_ARGON2ID
    return PasswordHasher(time_cost=passes, memory_cost=memory, parallelism=lanes, type=Type.ID)


def hash_password(password: str, method: str) -> str:
    hasher = argon2_hasher(method)
    if hasher is None:
        return generate_password_hash(password, method=method)
    return hasher.hash(password)


# Any valid Argon2 hash verifies with one hasher: the parameters come from the hash itself.
_VERIFIER = PasswordHasher()


def verify(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash, whatever method made it; False for an unusable or unknown one."""
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _VERIFIER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    if not stored:
        return False
    try:
        return check_password_hash(stored, password)
    except ValueError:  # a method werkzeug does not know (say, a hash imported from another system)
        return False


def needs_rehash(stored: str, method: str) -> bool:
    """Whether a hash that just verified should be stored again with `method` (another method or parameters).

    Only an Argon2id method asks for this: a werkzeug method leaves every hash that verifies as it is.
    """
    hasher = argon2_hasher(method)
    if hasher is None:
        return False
    if not stored.startswith(ARGON2_PREFIX):
        return True
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
