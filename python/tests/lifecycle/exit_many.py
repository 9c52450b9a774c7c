"""1,000 concurrent first signs through an async store, then a store whose create_jwk raises."""

import asyncio
import authjwt

SECRET = "an exit-test secret of more than 32 characters"

class ListStore:
    def __init__(self):
        self.rows = []
    async def get_jwks(self):
        return list(self.rows)
    async def create_jwk(self, row):
        self.rows.append(row)
        return row

class FailingStore:
    async def get_jwks(self):
        return []
    async def create_jwk(self, row):
        raise RuntimeError("the database is down")

async def main():
    issuer = authjwt.AsyncIssuer(store=ListStore(), secret=SECRET)
    tokens = await asyncio.gather(*(issuer.sign({"n": i}) for i in range(1000)))
    assert len(set(tokens)) == 1000
    failing = authjwt.AsyncIssuer(store=FailingStore(), secret=SECRET)
    try:
        await failing.sign({})
    except authjwt.StoreError:
        pass
    else:
        raise SystemExit("expected StoreError")

asyncio.run(main())
