// Students whose latest assessment carries a moderate or high suicide-risk flag (psychologist).
// Most recent first; follow up with query 01 for the timeline of each.
MATCH (st:Student)-[:HAS_SESSION]->(s:Session)-[:HAS_ASSESSMENT]->(a:Assessment)
WITH st, s, a ORDER BY s.recorded_at DESC
WITH st, collect({session: s.session, at: s.recorded_at, risk: a.suicide_risk, level: a.depression_level})[0] AS latest
WHERE latest.risk IN ['moderate', 'high']
RETURN st.id AS student, latest.session AS session, latest.at AS recorded_at,
       latest.risk AS suicide_risk, latest.level AS depression_level
ORDER BY recorded_at DESC;
