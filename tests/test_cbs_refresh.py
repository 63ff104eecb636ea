"""`socecon data refresh` against constructed CBS OData v3 answers (see fixtures/cbs_odata)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests

from socecon import cli
from socecon.data.cbs_refresh import refresh, resolve_keys
from socecon.data.manifest import sha256_file
from socecon.data.snapshot import load_snapshot
from socecon.exceptions import CBSUnavailableError, DataError

PAGE = 4


class FakeCBS:
    """Answers cbsodata's requests from the fixture files; records every URL asked."""

    def __init__(self, root: Path):
        self.root = root
        self.urls: list[str] = []

    def send(self, session, request, **kwargs):
        self.urls.append(request.url)
        assert kwargs.get("timeout"), "refresh must pass a timeout"
        url = urlparse(request.url)
        parts = url.path.split("/")
        assert parts[1:3] == ["ODataFeed", "odata"], url.path
        table, name = parts[3], parts[4] if len(parts) > 4 else ""
        path = self.root / table / (f"{name}.json" if name else "index.json")
        response = requests.Response()
        response.url = request.url
        if not path.is_file():
            response.status_code = 404
            response._content = b'{"odata.error": {"message": {"value": "not found"}}}'
            return response
        doc = json.loads(path.read_text(encoding="utf-8"))
        if name == "TypedDataSet":
            skip = int(parse_qs(url.query).get("$skip", ["0"])[0])
            rows = doc["value"]
            doc["value"] = rows[skip : skip + PAGE]
            if skip + PAGE < len(rows):
                base = f"https://opendata.cbs.nl/ODataFeed/odata/{table}/TypedDataSet"
                doc["odata.nextLink"] = f"{base}?$format=json&$skip={skip + PAGE}"
        response.status_code = 200
        response._content = json.dumps(doc).encode("utf-8")
        return response


@pytest.fixture
def fake_cbs(monkeypatch, fixtures_dir):
    server = FakeCBS(fixtures_dir / "cbs_odata")

    def send(session, request, **kwargs):
        return server.send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return server


@pytest.fixture
def no_network(monkeypatch):
    def send(session, request, **kwargs):
        raise requests.ConnectionError(
            f"Failed to resolve 'opendata.cbs.nl' ([Errno -3] name resolution) for {request.url}"
        )

    monkeypatch.setattr(requests.Session, "send", send)


@pytest.fixture(scope="module")
def committed():
    return load_snapshot()


def test_fixtures_say_they_were_constructed(fixtures_dir):
    text = (fixtures_dir / "cbs_odata" / "README.md").read_text()
    assert "constructed" in text and "not recorded" in text


def test_refresh_reproduces_the_build_for_the_fixture_regions(fake_cbs, tmp_path, committed):
    refresh(tmp_path / "data")
    fresh = load_snapshot(tmp_path / "data")
    # every figure the refresh wrote equals the one the build made from the shared exports
    merged = fresh.merge(committed, on=["region", "year", "variable"], suffixes=("", "_built"))
    assert len(merged) == len(fresh)
    assert (merged["unit"] == merged["unit_built"]).all()
    assert (merged["source"] == merged["source_built"]).all()
    both = merged.dropna(subset=["value", "value_built"])
    assert (both["value"] - both["value_built"]).abs().max() < 1e-9
    # and nothing is missing where the build has a figure
    gm = merged[merged["region"].str.startswith("GM")]
    assert gm["value"].isna().equals(gm["value_built"].isna())
    # the fixtures cover 8 municipalities x every variable of every year
    assert sorted(fresh.loc[fresh["region"].str.startswith("GM"), "region"].unique()) == sorted(
        ["GM0784", "GM0797", "GM0809", "GM0867", "GM0090", "GM0164", "GM0301", "GM0106"]
    )
    assert set(fresh["variable"]) == set(committed["variable"])
    assert set(fresh["year"]) == {2015, 2016, 2017, 2019, 2025}


def test_refresh_resolves_drifted_keys_and_ignores_decoys(fake_cbs, tmp_path):
    refresh(tmp_path / "data")
    frame = load_snapshot(tmp_path / "data")
    value = frame.set_index(["region", "year", "variable"])["value"]
    # WajongUitkering_162 / BedrijfsvestigingenTotaal_164 in the 2019 key version
    assert value["GM0784", 2015, "wajong"] == 200
    assert value["GM0784", 2015, "establishments"] == 1995  # not the decoy _168 (999999)
    # the absolute age bands, not the relative ones listed first
    assert value["GM0784", 2015, "population_15_64"] == 16767
    # padded keys were stripped; KWB wijk rows left out
    assert not frame["region"].str.contains(" ").any()
    assert not frame["region"].str.startswith("WK").any()
    # lokalisering came from the Code/Naam topics under the group titles
    regions = pd.read_csv(tmp_path / "data" / "regions.csv").set_index("code")
    assert regions.loc["GM0797", "corop_code"] == "CR35"
    assert regions.loc["GM0106", "labour_market_region_code"] == "AM01"
    assert regions.loc["GM0301", "province_name"] == "Gelderland"


def test_refresh_uses_raw_keys_filters_and_follows_paging(fake_cbs, tmp_path):
    refresh(tmp_path / "data")
    typed = [u for u in fake_cbs.urls if "/TypedDataSet" in u]
    assert any("skip=" in u for u in typed), "odata.nextLink was not followed"
    assert not any("UntypedDataSet" in u for u in fake_cbs.urls)
    kern = [u for u in typed if "/70072ned/" in u and "filter" in u]
    assert kern and "2015JJ00" in requests.utils.unquote(kern[0])
    kwb = [u for u in typed if "/84583NED/" in u and "filter" in u]
    assert "startswith(WijkenEnBuurten,'GM')" in requests.utils.unquote(kwb[0]).replace("+", " ")


def test_refresh_records_provenance(fake_cbs, tmp_path):
    manifest_path = refresh(tmp_path / "data")
    import yaml

    manifest = yaml.safe_load(manifest_path.read_text())
    assert manifest["generated_by"] == "socecon data refresh"
    assert manifest["licence"] == "CC BY 4.0"
    ids = {t["id"] for t in manifest["tables"]["cbs_snapshot.csv"]["cbs_tables"]}
    assert ids == {"70072ned", "83450NED", "83747NED", "84066NED", "84583NED"}
    assert {i["file"] for i in manifest["inputs"]} == {
        f"opendata.cbs.nl/{t}" for t in ("70072ned", "83450NED", "83747NED", "84066NED", "84583NED")
    }


def test_refresh_without_network_fails_clearly_and_leaves_snapshot(no_network, tmp_path, capsys):
    target = tmp_path / "data"
    target.mkdir()
    before = {}
    for name in ("cbs_snapshot.csv", "regions.csv", "manifest.yaml"):
        (target / name).write_bytes(b"existing " + name.encode())
        before[name] = sha256_file(target / name)

    code = cli.main(["data", "refresh", "--data-dir", str(target)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("socecon: error: cannot reach CBS open data (")
    assert "Traceback" not in err
    assert {n: sha256_file(target / n) for n in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"], "temp files left behind"


def test_refresh_without_network_raises_cbs_unavailable(no_network, tmp_path):
    with pytest.raises(CBSUnavailableError, match="cannot reach CBS open data"):
        refresh(tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_refresh_reports_a_refused_table(fake_cbs, tmp_path, monkeypatch, fixtures_dir):
    # a table CBS does not serve (HTTP 404) is a DataError, not "cannot reach"
    monkeypatch.setattr(fake_cbs, "root", tmp_path / "empty")
    with pytest.raises(DataError, match="refused table 70072ned") as info:
        refresh(tmp_path / "data")
    assert not isinstance(info.value, CBSUnavailableError)


def test_resolve_keys_by_title_and_unit_not_suffix():
    from socecon.data.cbs_refresh import KERN_FIELDS

    props = [
        {"Type": "Topic", "Key": "k_15Tot20Jaar_16", "Title": "15 tot 20 jaar", "Unit": "%"},
        {"Type": "Topic", "Key": "Foo_7", "Title": "15 tot 20 jaar", "Unit": "aantal"},
        {
            "Type": "Topic",
            "Key": "TotaleBevolking_1",
            "Title": "Totale bevolking",
            "Unit": "aantal",
        },
    ]
    fields = [f for f in KERN_FIELDS if f.name in ("k_15_20", "population")]
    assert resolve_keys(props, fields, "t") == {
        "k_15_20": "Foo_7",
        "population": "TotaleBevolking_1",
    }
    with pytest.raises(DataError, match="no column titled 'Wajong-uitkering'"):
        resolve_keys(props, [f for f in KERN_FIELDS if f.name == "wajong"], "70072ned")


def test_refreshed_density_is_recomputed(fake_cbs, tmp_path):
    refresh(tmp_path / "data")
    v = load_snapshot(tmp_path / "data").set_index(["region", "year", "variable"])["value"]
    assert math.isclose(
        v["GM0784", 2015, "bijstand_density_15_aow"], 1000 * 470 / 16840, abs_tol=1e-3
    )
