// The ontology around one concept (e.g. 'emotion:sadness', 'au:AU4', 'cmekg:抑郁症'), two hops.
// Parameter: $concept.
MATCH p = (c:Concept {id: $concept})-[*1..2]-(other:Concept)
RETURN p LIMIT 150;
