"""Search for Gongshi: building the index from checked records, querying it, the browser side.

Issue 'Search that works for Chinese, at 100,000 decisions, on a phone' fills this package;
whoosh (whoosh-reloaded) is to stay behind one small interface here so the engine can change.
"""
