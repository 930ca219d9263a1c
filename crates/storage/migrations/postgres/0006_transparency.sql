-- The transparency log (RFC 9162 Merkle tree) of bidding events. Appended in
-- the same transaction as the event it records, never updated or deleted.


-- The tree's size and its frontier (the hashes of the complete subtrees of
-- the size's binary decomposition, largest first, 32 bytes each): all an
-- append needs. One row.
CREATE TABLE transparency_head (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    size  BIGINT  NOT NULL CHECK (size >= 0),
    peaks BYTEA   NOT NULL
);
INSERT INTO transparency_head (id, size, peaks) VALUES (1, 0, '\x'::bytea);

-- Leaf `idx` (from 0): the entry's exact bytes (UTF-8 JSON) and its leaf hash.
CREATE TABLE transparency_entries (
    idx         BIGINT  PRIMARY KEY CHECK (idx >= 0),
    kind        TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    leaf_hash   BYTEA   NOT NULL,
    appended_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX transparency_entries_leaf ON transparency_entries (leaf_hash);

-- The hash of every complete aligned subtree above the leaves: the 2^level
-- leaves from idx·2^level (level 0, the leaves, is transparency_entries.leaf_hash).
-- Proofs read O(log n) of these.
CREATE TABLE transparency_nodes (
    level SMALLINT NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   BIGINT  NOT NULL CHECK (idx >= 0),
    hash  BYTEA   NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Signed tree heads, one per size at most.
CREATE TABLE transparency_tree_heads (
    tree_size BIGINT  PRIMARY KEY CHECK (tree_size >= 0),
    root_hash BYTEA   NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    key_id    TEXT    NOT NULL,
    signature BYTEA   NOT NULL
);
