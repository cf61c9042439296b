#!/usr/bin/python3
"""A real, independent SAML 2.0 IdP for the tests: pysaml2 (Debian python3-pysaml2) builds the
Response and signs/encrypts it with xmlsec1. Reads one JSON request per line on stdin and
answers each with one JSON line {"xml": ...} or {"error": ...}. None of this is our code."""
import json
import sys

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server


SHA256_SIG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256_DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
servers = {}


def server_for(req):
    key = (req["idpEntityId"], req["keyFile"], req["certFile"], req.get("spMetadataXml"), req.get("lifetimeMinutes", 5))
    if key not in servers:
        servers[key] = make_server(req)
    return servers[key]


def make_server(req):
    conf = IdPConfig()
    conf.load({
        "entityid": req["idpEntityId"],
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "key_file": req["keyFile"],
        "cert_file": req["certFile"],
        "metadata": {"inline": [req["spMetadataXml"]]} if req.get("spMetadataXml") else {},
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [
                        (req["idpEntityId"] + "/sso/redirect", BINDING_HTTP_REDIRECT),
                        (req["idpEntityId"] + "/sso/post", BINDING_HTTP_POST),
                    ]
                },
                "policy": {
                    "default": {
                        "lifetime": {"minutes": req.get("lifetimeMinutes", 5)},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_UNSPECIFIED,
                    }
                },
            }
        },
    })
    return Server(config=conf)


def respond(req):
    idp = server_for(req)
    farg = None
    if req.get("recipient"):
        farg = {"assertion": {"subject": {"subject_confirmation": {
            "method": "urn:oasis:names:tc:SAML:2.0:cm:bearer",
            "subject_confirmation_data": {
                "in_response_to": req.get("inResponseTo"),
                "recipient": req["recipient"],
            },
        }}}}
    encrypt_cert = req.get("encryptCertPem")
    response = idp.create_authn_response(
        identity=req.get("attributes", {}),
        in_response_to=req.get("inResponseTo"),
        destination=req["destination"],
        sp_entity_id=req["audience"],
        name_id=NameID(format=req.get("nameIdFormat", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"), text=req["nameId"]),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=req.get("signResponse", False),
        sign_assertion=req.get("signAssertion", True),
        encrypt_assertion=bool(encrypt_cert),
        encrypt_assertion_self_contained=True,
        encrypt_cert_assertion=encrypt_cert,
        best_effort=True,
        farg=farg,
        sign_alg=SHA256_SIG,
        digest_alg=SHA256_DIGEST,
    )
    return str(response)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = {"xml": respond(json.loads(line))}
        except Exception as exc:  # reported to the test, which fails loudly
            out = {"error": repr(exc)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
