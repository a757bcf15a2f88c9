PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX saref: <https://saref.etsi.org/corehasTime>
PREFIX ic-data: <http://ontology.tno.nl/interconnect/datapoint#>
PREFIX s4ener: <https://saref.etsi.org/saref4ener/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dc: <http://purl.org/dc/elements/1.1/>
PREFIX gn: <http://www.geonames.org/ontology#>
PREFIX iso3166: <http://purl.org/iso3166#>
?id dc:creator ?created_by .
?id ic-data:hasCreationTime ?created_at .
?created_at rdf:type time:instant .
?id gn:countryCode ?country_code .
?country_code rdf:type iso3166:Alpha2Code .
?id ic-data:hasEffectivePeriod ?period .
?period rdf:type time:interval .
?period time:hasBeginning ?sdt .
?sdt time:inXSDDateTimeStamp ?start_datetime .
?period time:hasEnd ?edt .
?edt time:inXSDDateTimeStamp ?end_datetime .
?id gn:postalCode ?zip_code .
?id ic-data:hasDataPoint ?data .
?data s4ener:hasValue ?risk_level .
?risk_level rdf:type s4ener:EventActionConsume .
?risk_level rdf:type xsd:integer .
?data s4ener:hasValue ?risk_evaluation .
?risk_evaluation rdf:type s4ener:EventActionConsume .
?data saref:hasTimestamp ?datetime .
?datetime rdf:type time:instant .
