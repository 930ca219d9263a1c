//! The transparency log in the API description: signed tree heads, the
//! public keys, inclusion and consistency proofs, entries, and the proof a
//! receipt carries (`ReceiptProof`).

use http::Method;
use serde_json::{Value, json};

use super::{OpDoc, array, date_time, object, op, prop, query_param, schema_ref, string};

/// The transparency operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::GET, "/api/v1/transparency/tree-head", "getLatestTreeHead", "transparency", "The latest signed tree head", "最新の署名付きツリーヘッドの取得")
            .describe(
                "Public. The log's latest signed tree head: its size (entries), when it was signed, the root hash of the Merkle tree over every entry (RFC 9162) and the Ed25519 signature with the log key (see getTransparencyPublicKey) over the 68 bytes \"musubi-tree-head-v1\\n\" ‖ tree_size (u64 big-endian) ‖ timestamp in milliseconds since 1970 (u64 big-endian) ‖ root hash. If the log grew since the last head, a new one is signed first.",
                "公開情報です。透明性ログの最新の署名付きツリーヘッド（記録数、署名日時、全記録の Merkle 木（RFC 9162）のルートハッシュ、ログ署名鍵による Ed25519 署名）を返します。署名の対象は \"musubi-tree-head-v1\\n\"、tree_size（64ビット符号なし、ビッグエンディアン）、timestamp（1970年からのミリ秒、同）、ルートハッシュを連結した68バイトです。前回の署名以降にログが増えている場合は、新たに署名してから返します。",
            )
            .ok(200, "SignedTreeHead", "The signed tree head.", "署名付きツリーヘッド。"),
        op(M::GET, "/api/v1/transparency/tree-heads/{size}", "getTreeHead", "transparency", "A signed tree head by size", "記録数を指定した署名付きツリーヘッドの取得")
            .describe(
                "Public. The signed tree head of exactly this size, if one was signed (404 tree_head_not_found otherwise; 400 invalid_parameter for a size that is not a whole number).",
                "公開情報です。指定した記録数の署名付きツリーヘッドを返します（署名されていない場合は 404 tree_head_not_found、整数でない場合は 400 invalid_parameter）。",
            )
            .id_is("The tree size (number of entries).", "ログの記録数（tree_size）。")
            .ok(200, "SignedTreeHead", "The signed tree head.", "署名付きツリーヘッド。"),
        op(M::GET, "/api/v1/transparency/public-key", "getTransparencyPublicKey", "transparency", "The log's and the receipts' public keys", "ログ署名鍵・受付票署名鍵の公開鍵")
            .describe(
                "Public. The Ed25519 public key that signs tree heads and the one that signs receipts (受付票), with their ids (the key_id in tree heads and receipts).",
                "公開情報です。ツリーヘッドに署名する Ed25519 公開鍵と、受付票に署名する公開鍵を、それぞれの鍵ID（ツリーヘッド・受付票の key_id）とともに返します。",
            )
            .ok(200, "TransparencyPublicKey", "The keys.", "公開鍵。"),
        op(M::GET, "/api/v1/transparency/proof/inclusion", "getInclusionProof", "transparency", "Inclusion proof of an entry", "記録の包含証明の取得")
            .describe(
                "Public. The audit path (RFC 9162 §2.1.3) proving that an entry is in the tree of tree_size entries; name the entry by index or by leaf_hash (exactly one: else 400 invalid_parameter). Verify it against the root hash of the signed head of that size. 400 invalid_parameter for a missing or malformed parameter (fields names it; field_codes: parameter_required, parameter_repeated, integer_invalid, hash_length, hash_invalid_character, index_or_leaf_hash); 400 invalid_tree_size for a size beyond the log or a leaf not yet in it, proof_index_out_of_range for an index not below tree_size, proof_empty_tree for size 0; 404 leaf_not_found for an unknown leaf hash.",
                "公開情報です。記録が記録数 tree_size のログに含まれることを示す監査パス（RFC 9162 §2.1.3）を返します。記録は index（記録番号）または leaf_hash（リーフハッシュ）のどちらか一方で指定します（両方・どちらもなしは 400 invalid_parameter）。同じ記録数の署名付きツリーヘッドのルートハッシュと照合してください。パラメーターの不足・誤りは 400 invalid_parameter（fields に対象、field_codes に parameter_required、parameter_repeated、integer_invalid、hash_length、hash_invalid_character、index_or_leaf_hash）、ログの記録数を超える tree_size やまだ含まれない記録は 400 invalid_tree_size、tree_size 以上の index は 400 proof_index_out_of_range、記録数0は 400 proof_empty_tree、登録されていないリーフハッシュは 404 leaf_not_found です。",
            )
            .query(&["transparency_tree_size", "transparency_index", "transparency_leaf_hash"])
            .ok(200, "InclusionProof", "The proof.", "包含証明。")
            .errors(&["NotFound"]),
        op(M::GET, "/api/v1/transparency/proof/consistency", "getConsistencyProof", "transparency", "Consistency proof between two tree sizes", "整合性証明の取得")
            .describe(
                "Public. The proof (RFC 9162 §2.1.4) that the tree of second entries extends the tree of first entries (append-only); verify it against the root hashes of the two signed heads. Equal sizes have the empty proof. 400 invalid_parameter for a missing or malformed parameter; 400 invalid_tree_size when second is beyond the log, proof_old_size_zero for first 0 (below second), proof_old_size_after_new when first > second.",
                "公開情報です。記録数 second のログが記録数 first のログに追記しただけのものであることを示す証明（RFC 9162 §2.1.4）を返します。2つの署名付きツリーヘッドのルートハッシュと照合してください。first と second が等しい場合、証明は空です。パラメーターの不足・誤りは 400 invalid_parameter、ログの記録数を超える second は 400 invalid_tree_size、first が0（second 未満）の場合は 400 proof_old_size_zero、first が second より大きい場合は 400 proof_old_size_after_new です。",
            )
            .query(&["transparency_first", "transparency_second"])
            .ok(200, "ConsistencyProof", "The proof.", "整合性証明。"),
        op(M::GET, "/api/v1/transparency/entries", "getLogEntries", "transparency", "Log entries by range", "ログの記録の取得")
            .describe(
                "Public. Entries start to end − 1 in log order, at most 1,000 per call (fewer at the end of the log: ask again from the next index). entry is the exact text whose UTF-8 bytes the leaf hash covers: leaf_hash = SHA-256(0x00 ‖ entry). Kinds: tender.published, tender.amended, tender.cancelled (the tender's public content hash), bid.received, bid.withdrawn (the commitment only), opening (every bid of the round with its commitment, and the opened bids' canonical content and salt), award. 400 invalid_parameter for a missing or malformed parameter, invalid_range when end is not above start.",
                "公開情報です。記録番号 start から end − 1 までの記録をログの順に返します（1回に1,000件まで。ログの末尾では少なくなります。続きは次の記録番号から取得してください）。entry はリーフハッシュの対象となる文字列そのもので、leaf_hash = SHA-256(0x00 ‖ entry の UTF-8 バイト列) です。種別は tender.published（公告）、tender.amended（訂正）、tender.cancelled（中止）（いずれも案件の公開内容のハッシュ値）、bid.received（入札書受付）、bid.withdrawn（辞退）（いずれもコミットメントのみ）、opening（開札。その回の全入札のコミットメントと、開封した入札の内容とソルト）、award（落札者決定）です。パラメーターの不足・誤りは 400 invalid_parameter、end が start 以下の場合は 400 invalid_range です。",
            )
            .query(&["transparency_start", "transparency_end"])
            .ok(200, "LogEntries", "The entries.", "記録の一覧。"),
    ]
}

fn required(mut p: Value) -> Value {
    p["required"] = json!(true);
    p
}

/// Sizes and indexes: whole numbers, 0 or more (at most 2^63 − 1).
fn count() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 0 })
}

fn hex64() -> Value {
    json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$" })
}

/// The transparency parameters of `components/parameters`.
pub(super) fn parameters() -> Vec<(&'static str, Value)> {
    vec![
        (
            "transparency_tree_size",
            required(query_param(
                "tree_size",
                count(),
                "The size of the tree to prove against (that of a signed tree head).",
                "証明の対象とするログの記録数（署名付きツリーヘッドの tree_size）。",
            )),
        ),
        (
            "transparency_index",
            query_param(
                "index",
                count(),
                "The entry's index (from 0); or give leaf_hash.",
                "記録番号（0から）。leaf_hash を指定する場合は不要です。",
            ),
        ),
        (
            "transparency_leaf_hash",
            query_param(
                "leaf_hash",
                hex64(),
                "The entry's leaf hash (64 hex digits); or give index.",
                "記録のリーフハッシュ（16進数64桁）。index を指定する場合は不要です。",
            ),
        ),
        (
            "transparency_first",
            required(query_param(
                "first",
                count(),
                "The older tree size.",
                "古いログの記録数。",
            )),
        ),
        (
            "transparency_second",
            required(query_param(
                "second",
                count(),
                "The newer tree size (at most the log's).",
                "新しいログの記録数（現在の記録数以下）。",
            )),
        ),
        (
            "transparency_start",
            required(query_param(
                "start",
                count(),
                "The first entry's index (from 0).",
                "最初の記録番号（0から）。",
            )),
        ),
        (
            "transparency_end",
            required(query_param(
                "end",
                count(),
                "One past the last entry's index (at most start + 1000 are answered).",
                "最後の記録番号の次の番号（start + 1000 までを返します）。",
            )),
        ),
    ]
}

fn hash(en: &str, ja: &str) -> Value {
    prop(hex64(), en, ja)
}

fn hashes(en: &str, ja: &str) -> Value {
    prop(array(hex64()), en, ja)
}

fn signed_tree_head() -> Value {
    object(
        &["tree_size", "timestamp", "root_hash", "key_id", "signature"],
        vec![
            (
                "tree_size",
                prop(count(), "Entries in the log.", "ログの記録数。"),
            ),
            (
                "timestamp",
                prop(
                    date_time(),
                    "When it was signed: RFC 3339, UTC, milliseconds (as signed).",
                    "署名日時（RFC 3339、UTC、ミリ秒まで。署名の対象）。",
                ),
            ),
            (
                "root_hash",
                hash(
                    "The Merkle tree root over the first tree_size entries.",
                    "先頭から tree_size 件の記録の Merkle 木のルートハッシュ。",
                ),
            ),
            (
                "key_id",
                prop(
                    string(),
                    "The log key's id (16 hex digits).",
                    "ログ署名鍵の鍵ID（16進数16桁）。",
                ),
            ),
            (
                "signature",
                prop(
                    string(),
                    "Ed25519 signature, standard base64.",
                    "Ed25519 署名（Base64）。",
                ),
            ),
        ],
    )
}

/// The transparency schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("SignedTreeHead", signed_tree_head()),
        (
            "TransparencyPublicKey",
            object(
                &[
                    "algorithm",
                    "public_key",
                    "key_id",
                    "receipt_public_key",
                    "receipt_key_id",
                ],
                vec![
                    (
                        "algorithm",
                        prop(
                            json!({ "type": "string", "enum": ["Ed25519"] }),
                            "Ed25519 (both keys).",
                            "署名方式（いずれも Ed25519）。",
                        ),
                    ),
                    (
                        "public_key",
                        prop(
                            string(),
                            "The log key (tree heads), 32 bytes, standard base64.",
                            "ログ署名鍵（ツリーヘッド）の公開鍵（32バイト、Base64）。",
                        ),
                    ),
                    (
                        "key_id",
                        prop(
                            string(),
                            "Its id, as in tree heads.",
                            "その鍵ID（ツリーヘッドの key_id）。",
                        ),
                    ),
                    (
                        "receipt_public_key",
                        prop(
                            string(),
                            "The receipt key, standard base64 (as /api/v1/receipt-key).",
                            "受付票署名鍵の公開鍵（Base64。/api/v1/receipt-key と同じ）。",
                        ),
                    ),
                    (
                        "receipt_key_id",
                        prop(
                            string(),
                            "Its id, as in receipts.",
                            "その鍵ID（受付票の key_id）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "InclusionProof",
            object(
                &["leaf_index", "tree_size", "leaf_hash", "audit_path"],
                vec![
                    (
                        "leaf_index",
                        prop(count(), "The entry's index.", "記録番号。"),
                    ),
                    (
                        "tree_size",
                        prop(
                            count(),
                            "The tree proven against.",
                            "証明の対象のログの記録数。",
                        ),
                    ),
                    (
                        "leaf_hash",
                        hash("The entry's leaf hash.", "記録のリーフハッシュ。"),
                    ),
                    (
                        "audit_path",
                        hashes(
                            "The audit path, from the leaf up (RFC 9162 §2.1.3.1).",
                            "監査パス（リーフ側から順。RFC 9162 §2.1.3.1）。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "ConsistencyProof",
            object(
                &["first", "second", "proof"],
                vec![
                    (
                        "first",
                        prop(count(), "The older size.", "古いログの記録数。"),
                    ),
                    (
                        "second",
                        prop(count(), "The newer size.", "新しいログの記録数。"),
                    ),
                    (
                        "proof",
                        hashes(
                            "The consistency proof (RFC 9162 §2.1.4.1); empty for equal sizes.",
                            "整合性証明（RFC 9162 §2.1.4.1）。記録数が等しい場合は空。",
                        ),
                    ),
                ],
            ),
        ),
        (
            "LogEntry",
            object(
                &["index", "kind", "leaf_hash", "entry", "appended_at"],
                vec![
                    ("index", prop(count(), "The entry's index.", "記録番号。")),
                    (
                        "kind",
                        prop(
                            json!({ "type": "string", "enum": [
                                "tender.published", "tender.amended", "tender.cancelled",
                                "bid.received", "bid.withdrawn", "opening", "award"
                            ] }),
                            "The entry's type (its \"type\" key).",
                            "記録の種別（entry の \"type\"）。",
                        ),
                    ),
                    (
                        "leaf_hash",
                        hash(
                            "SHA-256(0x00 ‖ the UTF-8 bytes of entry).",
                            "SHA-256(0x00 ‖ entry の UTF-8 バイト列)。",
                        ),
                    ),
                    (
                        "entry",
                        prop(
                            string(),
                            "The exact text the leaf hash covers: compact JSON with \"type\" first. Hash it as given; parse it to read it.",
                            "リーフハッシュの対象となる文字列そのもの（\"type\" から始まる空白なしのJSON）。受け取ったままハッシュを計算し、内容は解析して読み取ってください。",
                        ),
                    ),
                    (
                        "appended_at",
                        prop(date_time(), "When it was logged.", "ログへの登録日時。"),
                    ),
                ],
            ),
        ),
        (
            "LogEntries",
            object(
                &["entries"],
                vec![(
                    "entries",
                    prop(
                        array(schema_ref("LogEntry")),
                        "The entries, in log order.",
                        "記録（ログの順）。",
                    ),
                )],
            ),
        ),
        (
            "ReceiptProof",
            object(
                &[
                    "log_index",
                    "leaf_hash",
                    "inclusion_proof",
                    "tree_head",
                    "log_public_key",
                ],
                vec![
                    (
                        "log_index",
                        prop(
                            count(),
                            "The index of the bid's bid.received entry (ログ登録番号).",
                            "入札書受付の記録の記録番号（ログ登録番号）。",
                        ),
                    ),
                    (
                        "leaf_hash",
                        hash(
                            "Its leaf hash: SHA-256(0x00 ‖ {\"type\":\"bid.received\",\"commitment\":…}).",
                            "そのリーフハッシュ（SHA-256(0x00 ‖ {\"type\":\"bid.received\",\"commitment\":…})）。",
                        ),
                    ),
                    (
                        "inclusion_proof",
                        hashes(
                            "The audit path to tree_head's root.",
                            "tree_head のルートハッシュまでの監査パス。",
                        ),
                    ),
                    (
                        "tree_head",
                        prop(
                            schema_ref("SignedTreeHead"),
                            "The signed tree head the proof is against.",
                            "証明の対象の署名付きツリーヘッド。",
                        ),
                    ),
                    (
                        "log_public_key",
                        prop(
                            string(),
                            "The log key (base64), to check offline; compare it with getTransparencyPublicKey.",
                            "ログ署名鍵の公開鍵（Base64。オフラインでの検証用。公開されている鍵と照合してください）。",
                        ),
                    ),
                ],
            ),
        ),
    ]
}

/// The `transparency` field of a receipt (stored or the bidder's copy).
pub(super) fn receipt_field() -> (&'static str, Value) {
    (
        "transparency",
        prop(
            json!({ "anyOf": [schema_ref("ReceiptProof"), { "type": "null" }] }),
            "Proof that the transparency log holds the bid's commitment; null (or absent) for a bid received before the log existed.",
            "入札のコミットメントが透明性ログに登録されていることの証明。ログの導入前に受け付けた入札は null（または項目なし）。",
        ),
    )
}
