-- The public tender list filters by kind, category, status, prefecture and
-- buyer and counts its matches exactly; this index covers all of them, so a
-- filtered count reads the index instead of the tenders' JSON.
CREATE INDEX tenders_public_list ON tenders (published_at DESC, id DESC, kind, category, status, prefecture, buyer_id) WHERE published_at IS NOT NULL;
