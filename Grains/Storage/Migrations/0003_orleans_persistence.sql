-- 0003: Orleans grain state storage on PostgreSQL (Microsoft.Orleans.Persistence.AdoNet 10.4.x,
-- invariant "Npgsql").
--
-- Creates:
--   * OrleansStorage          - one row per (service, grain type, grain id) holding the serialized
--                               state and an integer version used as the grain's ETag;
--   * orleans_storage_write   - insert-or-update helper implementing the ETag rules;
--   * the OrleansQuery rows the storage provider loads at startup: WriteToStorageKey,
--     ReadFromStorageKey, ClearStorageKey (all three required) and DeleteStorageKey (needed only
--     when the provider runs with DeleteStateOnClear = true, harmless otherwise).
--
-- Contract notes (what the 10.4.x C# code relies on):
--   * parameters: @GrainIdHash int4, @GrainIdN0 int8, @GrainIdN1 int8, @GrainTypeHash int4,
--     @GrainTypeString text, @GrainIdExtensionString text (NULL for plain integer/Guid keys),
--     @ServiceId text, @GrainStateVersion int4 (NULL when the grain holds no ETag),
--     @PayloadBinary bytea;
--   * the two hashes are computed in C# by the configured hasher (default: Orleans' stable hash of
--     the grain key bytes and of the grain type name). They only narrow the index search; a row is
--     always matched on the full natural key as well, so hash collisions are harmless;
--   * string-keyed grains arrive with N0 = N1 = 0 and the whole key in GrainIdExtensionString;
--   * ReadFromStorageKey: at most one row, columns PayloadBinary and Version read by name
--     (a row with NULL payload = cleared state: "no record", but its Version is still the ETag);
--   * WriteToStorageKey: one row, column NewGrainStateVersion = the new version; NULL (or the
--     old version) means the write lost and the provider throws InconsistentStateException;
--   * ClearStorageKey / DeleteStorageKey: the new version in the first column of the single
--     returned row; no row means a version conflict.

CREATE TABLE OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NULL
);

-- Every provider query filters on both hashes first.
CREATE INDEX IX_OrleansStorage_Hashes ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- Writes a grain's state.
--   p_expected_version NOT NULL: update the row only if its version still equals the expected
--     one; returns expected + 1, or NULL if the row is gone or someone else wrote first.
--   p_expected_version NULL: the grain believes no state exists; insert version 1 unless a row
--     for this grain already exists, in which case NULL is returned.
-- There is no unique constraint (the natural key can be long), so competing first inserts for
-- the same grain are serialized with a transaction-scoped advisory lock on the two hashes; the
-- second one then sees the committed row and returns NULL. (Two-int advisory keys do not
-- overlap with single-bigint advisory keys used elsewhere.)
CREATE FUNCTION orleans_storage_write(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_key_extension    text,
    p_service_id       text,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
AS $body$
DECLARE
    v_new_version integer;
BEGIN
    IF p_expected_version IS NOT NULL THEN
        UPDATE OrleansStorage AS s
        SET PayloadBinary = p_payload,
            ModifiedOn = now(),
            Version = s.Version + 1
        WHERE s.GrainIdHash = p_grain_id_hash
          AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0
          AND s.GrainIdN1 = p_grain_id_n1
          AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_key_extension
          AND s.ServiceId = p_service_id
          AND s.Version = p_expected_version
        RETURNING s.Version INTO v_new_version;

        RETURN v_new_version;   -- NULL when nothing matched
    END IF;

    PERFORM pg_advisory_xact_lock(p_grain_id_hash, p_grain_type_hash);

    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
         GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT
        p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type,
        p_key_extension, p_service_id, p_payload, now(), 1
    WHERE NOT EXISTS (
        SELECT 1
        FROM OrleansStorage AS s
        WHERE s.GrainIdHash = p_grain_id_hash
          AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0
          AND s.GrainIdN1 = p_grain_id_n1
          AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_key_extension
          AND s.ServiceId = p_service_id)
    RETURNING Version INTO v_new_version;

    RETURN v_new_version;   -- 1, or NULL when the grain already had a row
END
$body$;

-- Query catalog. Texts are dollar-quoted ($q$) so that they need no quote doubling.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
'WriteToStorageKey', $q$
SELECT orleans_storage_write(
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;
$q$),

(
'ReadFromStorageKey', $q$
SELECT
    PayloadBinary,
    ModifiedOn,
    Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId;
$q$),

-- Default ClearStateAsync: keep the row, drop the payload, bump the version (the row's version
-- keeps counting, so a later write with the returned ETag updates it in place).
(
'ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = now(),
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),

-- ClearStateAsync with DeleteStateOnClear = true: remove the row. The provider still checks the
-- returned value against the old ETag, so "old version + 1" is returned; it then forgets the ETag
-- and the next write inserts a fresh row at version 1.
(
'DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$);
