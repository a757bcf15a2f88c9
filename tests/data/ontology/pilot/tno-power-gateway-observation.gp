PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX saref: <https://saref.etsi.org/core/>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX om: <http://www.ontology-of-units-of-measure.org/resource/om-2/>
?observation rdf:type sosa:Observation .
?observation sosa:madeBySensor ?sensor .
?observation sosa:observedProperty saref:Power .
?observation sosa:hasResult ?result .
?observation sosa:resultTime ?time .
?result om:hasNumericalValue ?value .
?result om:hasUnit om:watt .
