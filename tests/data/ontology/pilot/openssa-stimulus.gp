PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX saref: <https://saref.etsi.org/core/>
PREFIX ic-data: <http://ontology.tno.nl/interconnect/datapoint#>
PREFIX om: <http://www.ontology-of-units-of-measure.org/resource/om-2/>
?node ic-data:hasDataPoint ?data .
?data ic-data:containsQuantity ?quantity .
?quantity rdf:type om:Quantity .
?quantity om:hasValue ?stimulus .
?stimulus rdf:type om:Measure .
?stimulus om:hasNumericalValue ?value .
?stimulus om:hasUnit ?unit .
?unit a om:percent .
?data saref:hasTimestamp ?timestamp .
?timestamp rdf:type xsd:dateTime .