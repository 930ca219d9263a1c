-- The transparency log (RFC 9162 Merkle tree) of bidding events. Appended in
-- the same transaction as the event it records, never updated or deleted.
-- Times are UTC microseconds since the Unix epoch.

-- The tree's size and its frontier (the hashes of the complete subtrees of
-- the size's binary decomposition, largest first, 32 bytes each): all an
-- append needs. One row.
CREATE TABLE transparency_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  INTEGER NOT NULL CHECK (size >= 0),
    peaks BLOB    NOT NULL
) STRICT;
INSERT INTO transparency_head (id, size, peaks) VALUES (1, 0, x'');

-- Leaf `idx` (from 0): the entry's exact bytes (UTF-8 JSON) and its leaf hash.
CREATE TABLE transparency_entries (
    idx         INTEGER PRIMARY KEY CHECK (idx >= 0),
    kind        TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    leaf_hash   BLOB    NOT NULL,
    appended_at INTEGER NOT NULL
) STRICT;
CREATE INDEX transparency_entries_leaf ON transparency_entries (leaf_hash);

-- The hash of every complete aligned subtree above the leaves: the 2^level
-- leaves from idx·2^level (level 0, the leaves, is transparency_entries.leaf_hash).
-- Proofs read O(log n) of these.
CREATE TABLE transparency_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- Signed tree heads, one per size at most.
CREATE TABLE transparency_tree_heads (
    tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 0),
    root_hash BLOB    NOT NULL,
    signed_at INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature BLOB    NOT NULL
) STRICT;
