-- The utilisation report's per-instrument figures for a period, written by hand: one aggregate
-- over the service records that ran in [%(start)s, %(end)s), LEFT JOINed to the instruments in
-- service in it. Hours of a record spanning the period's edge count by the time inside it; services,
-- users, enterprises, income and ratings count the records that began in it (DOMAIN.md §5).
-- A user is the platform user when known, else the name and unit the record gives.
SELECT
    i.id,
    round(coalesce(sum(r.inside), 0), 2) AS effective_hours,
    round(coalesce(sum(r.inside) FILTER (WHERE r.is_external), 0), 2) AS external_hours,
    count(*) FILTER (WHERE r.began) AS services,
    count(DISTINCT r.who) FILTER (WHERE r.began AND NOT r.is_external) AS internal_users,
    count(DISTINCT r.who) FILTER (WHERE r.began AND r.is_external) AS external_users,
    count(DISTINCT r.user_unit_id) FILTER (WHERE r.began AND r.is_external AND r.enterprise) AS enterprises,
    round(coalesce(sum(r.amount) FILTER (WHERE r.began AND r.is_external), 0), 2) AS external_income,
    round(avg(r.rating) FILTER (WHERE r.began), 2) AS rating
FROM instruments_instrument i
LEFT JOIN (
    SELECT
        s.instrument_id,
        s.is_external,
        s.amount,
        s.rating,
        s.user_unit_id,
        s.started_at >= %(start)s AS began,
        CASE
            WHEN s.ended_at > s.started_at THEN s.hours
                * (extract(epoch FROM least(s.ended_at, %(end)s)) - extract(epoch FROM greatest(s.started_at, %(start)s)))
                / extract(epoch FROM s.ended_at - s.started_at)
            WHEN s.started_at >= %(start)s THEN s.hours
            ELSE 0
        END AS inside,
        CASE WHEN s.user_id IS NOT NULL THEN 'u' || s.user_id ELSE 'n' || s.user_name || '|' || s.user_unit_name END AS who,
        u.unit_type = 'enterprise' AS enterprise
    FROM bookings_servicerecord s
    LEFT JOIN members_unit u ON u.id = s.user_unit_id
    WHERE s.started_at < %(end)s
      AND (s.ended_at > %(start)s OR s.started_at >= %(start)s)
) r ON r.instrument_id = i.id
WHERE i.commissioned_on < %(end_day)s
  AND (i.retired_at IS NULL OR i.retired_at > %(start)s)
GROUP BY i.id
ORDER BY i.id
