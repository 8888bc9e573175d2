//! Parser tests on every response shape the service is known to send: ErrorMsg absent / empty / with empty children,
//! dates with or without time, offset or fraction, exponent doubles, float artefacts, nil items.

use chrono::NaiveDate;

use super::*;
use crate::domain::Cents;
use crate::eboekhouden::records::{Mutatie, MutatieSoort, OpenPost, Relatie, RelatieKind};

fn envelope(op: &str, result_inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><{op}Response xmlns="http://www.e-boekhouden.nl/soap"><{op}Result>{result_inner}</{op}Result></{op}Response></soap:Body></soap:Envelope>"#
    )
}

fn open_post(datum: &str, bedrag: &str) -> String {
    format!(
        "<cOpenPost><MutDatum>{datum}</MutDatum><MutFactuur>F-1</MutFactuur><RelCode>DEB1</RelCode>\
         <RelBedrijf>Bakkerij &amp; Zn</RelBedrijf><Bedrag>{bedrag}</Bedrag><Voldaan>0</Voldaan>\
         <Openstaand>{bedrag}</Openstaand></cOpenPost>"
    )
}

async fn all<T: Record>(xml: &str) -> Result<Vec<T>, Error> {
    let mut records = Records::<T>::open(std::io::Cursor::new(xml.to_owned().into_bytes())).await?;
    let mut out = Vec::new();
    while let Some(record) = records.next().await? {
        out.push(record);
    }
    Ok(out)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn expected_post(bedrag: i64) -> OpenPost {
    OpenPost {
        mut_datum: day(2023, 4, 1),
        mut_factuur: "F-1".into(),
        rel_code: "DEB1".into(),
        rel_bedrijf: "Bakkerij & Zn".into(),
        bedrag: Cents::new(bedrag),
        voldaan: Cents::ZERO,
        openstaand: Cents::new(bedrag),
    }
}

#[tokio::test]
async fn every_error_msg_success_shape_means_success() {
    let items = format!("<Openposten>{}</Openposten>", open_post("2023-04-01T00:00:00", "12.5"));
    for error_msg in [
        "",
        "<ErrorMsg />",
        "<ErrorMsg></ErrorMsg>",
        "<ErrorMsg><LastErrorCode /><LastErrorDescription /></ErrorMsg>",
        "<ErrorMsg><LastErrorCode>  </LastErrorCode><LastErrorDescription></LastErrorDescription></ErrorMsg>",
        "<ErrorMsg><LastErrorDescription>ok</LastErrorDescription></ErrorMsg>",
    ] {
        let xml = envelope("GetOpenPosten", &format!("{error_msg}{items}"));
        assert_eq!(all::<OpenPost>(&xml).await.unwrap(), vec![expected_post(1250)], "{error_msg}");
    }
}

#[tokio::test]
async fn dates_and_doubles_in_every_shape() {
    let cases = [
        ("2023-04-01T00:00:00", "100", 10_000),
        ("2023-04-01", "1E2", 10_000),
        ("2023-04-01T00:00:00+02:00", "1.0E+2", 10_000),
        ("2023-04-01T00:00:00.0000000", "50.049999999999997", 5_005),
        ("2023-04-01T12:30:00.5Z", "-1.5E-1", -15),
    ];
    for (datum, bedrag, cents) in cases {
        let xml = envelope("GetOpenPosten", &format!("<Openposten>{}</Openposten>", open_post(datum, bedrag)));
        assert_eq!(all::<OpenPost>(&xml).await.unwrap(), vec![expected_post(cents)], "{datum} {bedrag}");
    }
}

#[tokio::test]
async fn a_bad_amount_names_field_and_record() {
    let items = format!("{}{}", open_post("2023-04-01", "1"), open_post("2023-04-01", "12.3456"));
    let xml = envelope("GetOpenPosten", &format!("<Openposten>{items}</Openposten>"));
    let mut records = Records::<OpenPost>::open(std::io::Cursor::new(xml.into_bytes())).await.unwrap();
    assert_eq!(records.next().await.unwrap(), Some(expected_post(100)));
    let error = records.next().await.unwrap_err();
    assert!(matches!(&error, Error::Malformed { record: Some(2), field: Some(f), .. } if f == "Bedrag"), "{error:?}");
    assert!(records.next().await.unwrap().is_none());
}

#[tokio::test]
async fn a_missing_required_field_names_it() {
    let xml = envelope("GetOpenPosten", "<Openposten><cOpenPost><MutFactuur>F</MutFactuur></cOpenPost></Openposten>");
    let error = all::<OpenPost>(&xml).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "GetOpenPosten: malformed response in record 1, field MutDatum: the element is missing"
    );
}

#[tokio::test]
async fn service_errors_are_classified() {
    let error_msg = |code: &str| {
        envelope(
            "GetMutaties",
            &format!("<ErrorMsg><LastErrorCode>{code}</LastErrorCode><LastErrorDescription>d</LastErrorDescription></ErrorMsg>"),
        )
    };
    assert!(matches!(all::<Mutatie>(&error_msg("E003.1")).await, Err(Error::QuotaExceeded { .. })));
    assert!(matches!(all::<Mutatie>(&error_msg("E0023")).await, Err(Error::SessionExpired { .. })));
    assert!(matches!(all::<Mutatie>(&error_msg("E001.1")).await, Err(Error::CredentialsRejected { .. })));
    let other = all::<Mutatie>(&error_msg("X9")).await.unwrap_err();
    assert_eq!(other.to_string(), "e-Boekhouden answered GetMutaties with error X9: d");
}

#[tokio::test]
async fn absent_empty_and_nil_collections_give_no_records() {
    for inner in [
        "",
        "<ErrorMsg/>",
        "<Openposten/>",
        "<Openposten></Openposten>",
        r#"<Openposten><cOpenPost xsi:nil="true"/></Openposten>"#,
    ] {
        assert_eq!(all::<OpenPost>(&envelope("GetOpenPosten", inner)).await.unwrap(), vec![], "{inner}");
    }
}

#[tokio::test]
async fn a_soap_fault_is_typed() {
    let xml = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request.</faultstring><detail/></soap:Fault></soap:Body></soap:Envelope>"#;
    let error = all::<OpenPost>(xml).await.unwrap_err();
    assert!(
        matches!(&error, Error::SoapFault { code, message, .. } if code == "soap:Server" && message == "Server was unable to process request."),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_cut_mid_record_or_after_the_list_is_an_error() {
    let full = envelope("GetOpenPosten", &format!("<Openposten>{}</Openposten>", open_post("2023-04-01", "1")));
    let mid_record = &full[..full.find("<Voldaan>").unwrap()];
    assert!(matches!(all::<OpenPost>(mid_record).await, Err(Error::Malformed { .. })));
    let after_list = &full[..full.find("</GetOpenPostenResult>").unwrap()];
    assert!(matches!(all::<OpenPost>(after_list).await, Err(Error::Malformed { .. })));
    let garbage = full.replace("</RelCode>", "</Oops>");
    assert!(matches!(all::<OpenPost>(&garbage).await, Err(Error::Malformed { record: Some(1), .. })));
}

#[tokio::test]
async fn relaties_map_bp_to_kind_and_keep_contact_data() {
    let xml = envelope(
        "GetRelaties",
        "<Relaties><cRelatie><ID>7</ID><AddDatum>2020-01-02T00:00:00</AddDatum><Code>DEB7</Code><Bedrijf />\
         <Contactpersoon>Jan Jansen</Contactpersoon><Email>jan@example.nl</Email><KvkNummer /><BP>P</BP>\
         <Gb_ID>0</Gb_ID></cRelatie></Relaties>",
    );
    let relaties = all::<Relatie>(&xml).await.unwrap();
    let expected = Relatie {
        id: 7,
        add_datum: Some(day(2020, 1, 2)),
        code: "DEB7".into(),
        kind: RelatieKind::Consumer,
        contactpersoon: "Jan Jansen".into(),
        email: "jan@example.nl".into(),
        ..Relatie::default()
    };
    assert_eq!(relaties, vec![expected]);
    assert_eq!(relaties[0].name(), "Jan Jansen");
}

#[tokio::test]
async fn mutaties_carry_their_lines_and_unknown_kinds() {
    let xml = envelope(
        "GetMutaties",
        "<Mutaties><cMutatieList><MutatieNr>12</MutatieNr><Soort>FactuurbetalingOntvangen</Soort>\
         <Datum>2023-05-01T00:00:00</Datum><Rekening>1100</Rekening><RelatieCode>DEB1</RelatieCode>\
         <Factuurnummer>F-1</Factuurnummer><Betalingstermijn>14</Betalingstermijn><MutatieRegels>\
         <cMutatieListRegel><BedragInvoer>60.5</BedragInvoer><BedragExclBTW>50</BedragExclBTW>\
         <BedragBTW>10.5</BedragBTW><BedragInclBTW>60.5</BedragInclBTW><BTWCode>HOOG_VERK_21</BTWCode>\
         <BTWPercentage>21.0000</BTWPercentage><Factuurnummer>F-1</Factuurnummer><TegenrekeningCode>1300</TegenrekeningCode>\
         <KostenplaatsID>0</KostenplaatsID></cMutatieListRegel></MutatieRegels></cMutatieList>\
         <cMutatieList><MutatieNr>13</MutatieNr><Soort>Nieuwsoort</Soort><Datum>2023-05-02</Datum><MutatieRegels/></cMutatieList></Mutaties>",
    );
    let mutaties = all::<Mutatie>(&xml).await.unwrap();
    assert_eq!(mutaties.len(), 2);
    assert_eq!(mutaties[0].soort, MutatieSoort::FactuurbetalingOntvangen);
    assert_eq!(mutaties[0].betalingstermijn_days(), Some(14));
    assert_eq!(mutaties[0].regels.len(), 1);
    assert_eq!(mutaties[0].regels[0].bedrag_incl_btw, Cents::new(6_050));
    assert_eq!(mutaties[0].regels[0].btw_percentage, "21.0000");
    assert_eq!(mutaties[0].regels[0].factuurnummer, "F-1");
    assert_eq!(mutaties[0].total_incl_btw(), Some(Cents::new(6_050)));
    assert_eq!(mutaties[1].soort, MutatieSoort::Unknown("Nieuwsoort".into()));
    assert_eq!(mutaties[1].datum, day(2023, 5, 2));
    assert!(mutaties[1].regels.is_empty());
}

#[tokio::test]
async fn dropping_the_records_stops_reading_the_body() {
    use tokio::io::AsyncWriteExt;
    let (mut body, source) = tokio::io::duplex(64 * 1024);
    let whole = envelope("GetOpenPosten", "<Openposten>");
    let head = whole.split("</GetOpenPostenResult>").next().unwrap_or_default().to_owned();
    body.write_all(head.as_bytes()).await.unwrap();
    // A body without end: only the reader going away stops the writer.
    let writer = tokio::spawn(async move {
        let item = open_post("2023-04-01", "1");
        while body.write_all(item.as_bytes()).await.is_ok() {}
    });
    let mut records = Records::<OpenPost>::open(tokio::io::BufReader::new(source)).await.unwrap();
    assert_eq!(records.next().await.unwrap(), Some(expected_post(100)));
    drop(records);
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(10), writer).await;
    assert!(matches!(stopped, Ok(Ok(()))), "the body is still being read");
}
