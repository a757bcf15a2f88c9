?deviceId <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://saref.etsi.org/core/Device> .
?deviceId <https://saref.etsi.org/core/makesMeasurement> ?m .
?m <https://saref.etsi.org/core/relatesToProperty> ?p . 
?p <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?fieldType .
?m <https://saref.etsi.org/core/hasTimestamp> ?ts .
?m <https://saref.etsi.org/core/hasValue> ?val .
