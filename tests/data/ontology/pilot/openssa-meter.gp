PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX saref: <https://saref.etsi.org/core/>
?node saref:makesMeasurement ?measurement .
?measurement rdf:type saref:Measurement .
?measurement saref:relatesToProperty ?property .
?property rdf:type ?type .
?measurement saref:isMeasuredIn ?unit .
?measurement saref:hasValue ?value .
?value rdf:type xsd:float .
?measurement saref:hasTimestamp ?timestamp .
?timestamp rdf:type xsd:dateTime .