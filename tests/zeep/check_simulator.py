"""Outside check of the e-Boekhouden simulator with zeep, an independent SOAP client.

Loads the published WSDL, points its SOAP 1.1 port at the simulator, calls OpenSession, GetRelaties,
GetOpenPosten, GetFacturen and GetMutaties, and prints what came back as one JSON document (amounts in
cents) for the Rust test to compare with its own client's reading of the same simulator.

Usage: check_simulator.py WSDL ENDPOINT USERNAME SECURITY_CODE_1 SECURITY_CODE_2
"""

import datetime
import decimal
import json
import sys

import zeep

SERVICE = "{http://www.e-boekhouden.nl/soap}soapAppSoap"


def cents(value):
    """zeep gives floats for s:double and Decimals for s:decimal; both are whole cents here."""
    return int((decimal.Decimal(str(value)) * 100).to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


def day(value):
    return value.date().isoformat() if isinstance(value, datetime.datetime) else str(value)


def text(value):
    """`cFactuurList/Relatiecode` is untyped (anyType): zeep may hand back a node or a string."""
    if value is None:
        return ""
    return value.text if hasattr(value, "text") else str(value)


def check(result):
    error = result.ErrorMsg
    if error is not None and (error.LastErrorCode or "").strip():
        raise SystemExit(f"service error {error.LastErrorCode}: {error.LastErrorDescription}")


def items(wrapper, name):
    return [] if wrapper is None else (getattr(wrapper, name) or [])


def main(wsdl, endpoint, username, code_1, code_2):
    service = zeep.Client(wsdl=wsdl).create_service(SERVICE, endpoint)
    opened = service.OpenSession(Username=username, SecurityCode1=code_1, SecurityCode2=code_2, Source="zeep")
    check(opened)
    auth = {"SessionID": opened.SessionID, "SecurityCode2": code_2}
    wide = {"DatumVan": datetime.datetime(1970, 1, 1), "DatumTm": datetime.datetime(2050, 12, 31)}

    relaties = service.GetRelaties(**auth, cFilter={"Trefwoord": "", "Code": "", "ID": 0})
    check(relaties)
    posten = service.GetOpenPosten(**auth, OpSoort="Debiteuren")
    check(posten)
    facturen = service.GetFacturen(**auth, cFilter={"Factuurnummer": "", "Relatiecode": "", **wide})
    check(facturen)
    mutaties = service.GetMutaties(
        **auth, cFilter={"MutatieNr": 0, "MutatieNrVan": 0, "MutatieNrTm": 0, "Factuurnummer": "", **wide}
    )
    check(mutaties)
    service.CloseSession(SessionID=opened.SessionID)

    print(json.dumps({
        "relaties": [[r.Code, r.Bedrijf, r.BP, r.Email] for r in items(relaties.Relaties, "cRelatie")],
        "open_posten": [
            [p.MutFactuur, p.RelCode, day(p.MutDatum), cents(p.Bedrag), cents(p.Voldaan), cents(p.Openstaand)]
            for p in items(posten.Openposten, "cOpenPost")
        ],
        "facturen": [
            [f.Factuurnummer, text(f.Relatiecode), day(f.Datum), f.Betalingstermijn, cents(f.TotaalInclBTW)]
            for f in items(facturen.Facturen, "cFactuurList")
        ],
        "mutaties": [
            [m.MutatieNr, m.Soort, day(m.Datum), m.Factuurnummer,
             cents(items(m.MutatieRegels, "cMutatieListRegel")[0].BedragInclBTW)]
            for m in items(mutaties.Mutaties, "cMutatieList")
        ],
    }))


if __name__ == "__main__":
    main(*sys.argv[1:6])
