-- What each distinct Tags value says for each allocation dimension: the tag that feeds it and the
-- allowed value it resolves to. Resolved once per distinct Tags text (a few thousand), not per row.
--   * keys match tag_keys.csv after normalisation (case, spaces and punctuation ignored);
--   * when a row carries several keys of one dimension, a non-empty value beats an empty one, then
--     the lowest priority wins, then the key and value in byte order (deterministic);
--   * values match an allowed value or alias after normalisation (case and whitespace ignored);
--     a dimension without listed values accepts any non-empty value, in its normalised form.
-- value_status: valid (resolved), invalid (not an allowed value), empty (the key carries no value).
with

tag_texts as (
    select distinct tags from {{ ref('int_charges_unioned') }}
    -- Tags that are not a JSON object (a native export's bad cell) resolve nothing: the row is untagged.
    where json_valid(tags) and json_type(tags) = 'OBJECT'
),

tag_keys as (
    select * from {{ ref('stg_mappings__tag_keys') }}
),

tag_values as (
    select * from {{ ref('stg_mappings__tag_values') }}
),

dimensions_with_values as (
    select distinct dimension from tag_values
),

-- FOCUS Tags is a flat JSON object; a value that is not a string (a key-only tag is `true`) is read as text.
tag_pairs as (
    select
        tag_texts.tags,
        pairs.pair.key as tag_key,
        pairs.pair.value as tag_value
    from tag_texts
    cross join unnest(map_entries(cast(cast(tag_texts.tags as json) as map(varchar, varchar)))) as pairs (pair) -- noqa: LT01
),

matched as (
    select
        tag_pairs.tags,
        tag_keys.dimension,
        tag_pairs.tag_key,
        tag_pairs.tag_value,
        tag_keys.priority,
        {{ normalize_tag_value('tag_pairs.tag_value') }} as tag_value_normalized
    from tag_pairs
    inner join tag_keys
        on {{ normalize_tag_key('tag_pairs.tag_key') }} = tag_keys.tag_key_normalized
),

chosen as (
    select * from matched
    qualify row_number() over (
        partition by tags, dimension
        order by coalesce(tag_value_normalized, '') = '', priority, tag_key, tag_value
    ) = 1
),

final as (
    select
        chosen.tags,
        chosen.dimension,
        chosen.tag_key,
        chosen.tag_value,
        case
            when coalesce(chosen.tag_value_normalized, '') = '' then 'empty'
            when dimensions_with_values.dimension is null or tag_values.allowed_value is not null then 'valid'
            else 'invalid'
        end as value_status,
        case
            when coalesce(chosen.tag_value_normalized, '') = '' then null
            when dimensions_with_values.dimension is null then chosen.tag_value_normalized
            else tag_values.allowed_value
        end as dimension_value
    from chosen
    left join dimensions_with_values
        on chosen.dimension = dimensions_with_values.dimension
    left join tag_values
        on
            chosen.dimension = tag_values.dimension
            and chosen.tag_value_normalized = tag_values.spelling_normalized
)

select * from final
