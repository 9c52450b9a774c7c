"""Only a store whose create_jwk raises (the smaller script that crashed at exit)."""

import asyncio
import authjwt

SECRET = "an exit-test secret of more than 32 characters"

class FailingStore:
    async def get_jwks(self):
        return []
    async def create_jwk(self, row):
        raise RuntimeError("the database is down")

async def main():
    failing = authjwt.AsyncIssuer(store=FailingStore(), secret=SECRET)
    for _ in range(3):
        try:
            await failing.sign({})
        except authjwt.StoreError:
            pass
        else:
            raise SystemExit("expected StoreError")

asyncio.run(main())
