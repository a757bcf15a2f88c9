PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX saref: <https://saref.etsi.org/core/>
PREFIX om: <http://www.ontology-of-units-of-measure.org/resource/om-2/>
PREFIX interconnect: <http://ontology.tno.nl/Interconnect#>
?limit om:hasUnit om:watt .
?command rdf:type saref:SetLevelCommand .
?command saref:actsUpon saref:PowerLimit .
?limit om:hasNumericalValue ?limitValue .
?command interconnect:SetsValue ?limit .
