PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX saref: <https://saref.etsi.org/core/>
?sensor rdf:type saref:Sensor .
?measurement saref:measurementMadeBy ?sensor .
?measurement saref:isMeasuredIn saref:TemperatureUnit .
?measurement saref:hasValue ?temperature .
?measurement saref:hasTimestamp ?timestamp .
