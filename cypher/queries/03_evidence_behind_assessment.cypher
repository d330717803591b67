// The evidence behind one assessment: each claim with the feature texts and concepts behind it.
// Parameter: $assessment — an Assessment id, e.g. 'stu_.../s1/assessment'.
MATCH (a:Assessment {id: $assessment})<-[e:EVIDENCE_FOR]-(x)
OPTIONAL MATCH (x:FeatureText)-[al:ALIGNED_TO]->(c:Concept)
RETURN e.claim AS claim, labels(x) AS kind, x.id AS evidence,
       coalesce(x.text_zh, x.name_zh) AS text_zh, coalesce(x.text_en, x.name_en) AS text_en,
       collect(DISTINCT c.id) AS aligned_concepts
ORDER BY claim, evidence;
