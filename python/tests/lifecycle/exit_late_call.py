"""An atexit handler registered before authjwt's own runs after it: a call there gets a clear
error, never a hang or a crash."""

import atexit


def late_call():
    try:
        issuer.sign({})
    except authjwt.AuthJwtError as e:
        print("late call refused:", e)
    else:
        print("late call signed")


atexit.register(late_call)

import authjwt  # noqa: E402 (after the handler on purpose)

issuer = authjwt.Issuer(secret="an exit-test secret of more than 32 characters")
