-- A proposal for the report (not used by it): every level of the utilisation report's rollups
-- (per instrument, unit, category 大类, district and the total) in ONE pass over the records with
-- GROUPING SETS, instead of one pass per level (instrument_use, group_use ×3, total_use). Same
-- conventions as hand.sql; instruments without use come from a plain list of the instruments.
SELECT
    GROUPING(r.instrument_id, r.unit_id, r.cat, r.district_key) AS level,
    r.instrument_id, r.unit_id, r.cat, r.district_key,
    round(coalesce(sum(r.inside), 0), 2) AS effective_hours,
    round(coalesce(sum(r.inside) FILTER (WHERE r.is_external), 0), 2) AS external_hours,
    count(*) FILTER (WHERE r.began) AS services,
    count(DISTINCT r.who) FILTER (WHERE r.began AND NOT r.is_external) AS internal_users,
    count(DISTINCT r.who) FILTER (WHERE r.began AND r.is_external) AS external_users,
    count(DISTINCT r.user_unit_id) FILTER (WHERE r.began AND r.is_external AND r.enterprise) AS enterprises,
    round(coalesce(sum(r.amount) FILTER (WHERE r.began AND r.is_external), 0), 2) AS external_income,
    round(avg(r.rating) FILTER (WHERE r.began), 2) AS rating
FROM (
    SELECT s.instrument_id, i.unit_id, substr(c.code, 1, 2) AS cat, coalesce(i.district_id, ou.district_id) AS district_key,
        s.is_external, s.amount, s.rating, s.user_unit_id,
        s.started_at >= %(start)s AS began,
        CASE WHEN s.ended_at > s.started_at THEN s.hours
                * (extract(epoch FROM least(s.ended_at, %(end)s)) - extract(epoch FROM greatest(s.started_at, %(start)s)))
                / (extract(epoch FROM s.ended_at) - extract(epoch FROM s.started_at))
            WHEN s.started_at >= %(start)s THEN s.hours ELSE 0 END AS inside,
        CASE WHEN s.user_id IS NOT NULL THEN 'u' || s.user_id ELSE 'n' || s.user_name || '|' || s.user_unit_name END AS who,
        u.unit_type = 'enterprise' AS enterprise
    FROM bookings_servicerecord s
    JOIN instruments_instrument i ON i.id = s.instrument_id
    JOIN members_unit ou ON ou.id = i.unit_id
    JOIN instruments_category c ON c.id = i.category_id
    LEFT JOIN members_unit u ON u.id = s.user_unit_id
    WHERE s.started_at < %(end)s AND (s.ended_at > %(start)s OR s.started_at >= %(start)s)
      AND i.commissioned_on < %(end_day)s AND (i.retired_at IS NULL OR i.retired_at > %(start)s)
) r
GROUP BY GROUPING SETS ((r.instrument_id), (r.unit_id), (r.cat), (r.district_key), ())
