#!/usr/bin/env python3
"""Writes the declarations (not the prose) of one official ontology file as GridKE Turtle.

Usage: [ONLY="localA localB"] extract_declarations.py SOURCE NAMESPACE PREFIX TITLE VERSION_IRI
       [SYNTAX] > OUT.ttl   (SYNTAX: rapper input name, default turtle; ONLY: keep these terms)

For every IRI in NAMESPACE that the source types (class, property, individual) it keeps:
rdf:type, rdfs:subClassOf / rdfs:subPropertyOf / owl:equivalentClass (named terms only),
rdfs:domain / rdfs:range (named terms and owl:unionOf lists of named terms), owl:inverseOf,
owl:deprecated and rdfs:label. Comments, definitions, restrictions and examples are dropped.
Needs `rapper` (raptor2-utils) to turn the source into N-Triples.
"""
import os
import re
import subprocess
import sys

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TERM = r'(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[a-zA-Z-]+|\^\^<[^>]*>)?)'
LINE = re.compile(r"^" + TERM + r"\s+" + TERM + r"\s+" + TERM + r"\s*\.\s*$")
KEEP_NAMED = [RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass",
              OWL + "inverseOf"]
KEEP_CLASS_EXPR = [RDFS + "domain", RDFS + "range"]


def main():
    src, ns, prefix, title, version_iri = sys.argv[1:6]
    nt = subprocess.run(["rapper", "-q", "-i", sys.argv[6] if len(sys.argv) > 6 else "turtle",
                         "-o", "ntriples", src], capture_output=True, text=True, check=True).stdout
    triples = []
    for line in nt.splitlines():
        m = LINE.match(line)
        if m:
            triples.append(m.groups())
    by_subject = {}
    for s, p, o in triples:
        by_subject.setdefault(s, []).append((p[1:-1] if p.startswith("<") else p, o))

    prefixes = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
                "saref": "https://saref.etsi.org/core/",
                "s4ener": "https://saref.etsi.org/saref4ener/",
                "s4grid": "https://saref.etsi.org/saref4grid/",
                "time": "http://www.w3.org/2006/time#",
                "om": "http://www.ontology-of-units-of-measure.org/resource/om-2/",
                "foaf": "http://xmlns.com/foaf/0.1/", "dcterms": "http://purl.org/dc/terms/",
                "vann": "http://purl.org/vocab/vann/", "skos": "http://www.w3.org/2004/02/skos/core#",
                "schema": "http://schema.org/"}
    prefixes[prefix] = ns

    def short(term):
        if term.startswith("<"):
            iri = term[1:-1]
            for p, n in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
                if iri.startswith(n) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", iri[len(n):] or "-") \
                        and not iri[len(n):].endswith("."):
                    return p + ":" + iri[len(n):]
            return term
        if "^^<" in term:
            lex, dt = term.rsplit("^^", 1)
            return lex + "^^" + short(dt)
        return term

    def rdf_list(node):
        items = []
        while node != "<" + RDF + "nil>":
            props = dict(by_subject.get(node, []))
            if RDF + "first" not in props:
                return None
            items.append(props[RDF + "first"])
            node = props.get(RDF + "rest", "<" + RDF + "nil>")
        return items

    def class_expr(node):
        if node.startswith("<"):
            return short(node)
        props = dict(by_subject.get(node, []))
        if OWL + "unionOf" in props:
            items = rdf_list(props[OWL + "unionOf"])
            if items and all(i.startswith("<") for i in items):
                return "[ a owl:Class ; owl:unionOf ( " + " ".join(short(i) for i in items) + " ) ]"
        return None

    only = set(os.environ.get("ONLY", "").split()) if os.environ.get("ONLY") else None
    subjects = sorted(s for s, po in by_subject.items()
                      if s.startswith("<" + ns) and len(s) > len(ns) + 2
                      and any(p == RDF + "type" for p, _ in po)
                      and (only is None or s[len(ns) + 1:-1] in only))
    out = []
    used = set()
    for s in subjects:
        lines = []
        for p, o in by_subject[s]:
            if p in KEEP_NAMED and o.startswith("<"):
                lines.append((short("<" + p + ">") if p != RDF + "type" else "a", short(o)))
            elif p in KEEP_CLASS_EXPR:
                e = class_expr(o)
                if e:
                    lines.append((short("<" + p + ">"), e))
            elif p == OWL + "deprecated":
                lines.append(("owl:deprecated", "true"))
            elif p == RDFS + "label":
                lines.append(("rdfs:label", o))
        order = {"a": 0, "rdfs:subClassOf": 1, "rdfs:subPropertyOf": 1, "owl:equivalentClass": 2,
                 "owl:inverseOf": 2, "rdfs:domain": 3, "rdfs:range": 4, "owl:deprecated": 5,
                 "rdfs:label": 6}
        lines = sorted(set(lines), key=lambda pl: (order.get(pl[0], 9), pl[1]))
        text = short(s) + "\n" + " ;\n".join("    %s %s" % pl for pl in lines) + " .\n"
        out.append(text)
        for m in re.finditer(r"\b([a-z][a-zA-Z0-9]*):", text):
            used.add(m.group(1))
    print("# Declarations of %s (%s), extracted by ontologies/tools/extract_declarations.py" % (title, version_iri))
    print("# from the official file; labels only, no definitions or comments. Source and licence:")
    print("# ontologies/SOURCES.md.")
    for p in sorted(prefixes):
        if p in used or p in ("rdf", "rdfs", "owl", "dcterms"):
            print("@prefix %s: <%s> ." % (p, prefixes[p]))
    print()
    print("<%s> a owl:Ontology ;\n    dcterms:title \"%s (GridKE declaration subset)\"@en ;\n"
          "    owl:versionIRI <%s> ." % (ns, title, version_iri))
    print()
    print("\n".join(out))


if __name__ == "__main__":
    main()
