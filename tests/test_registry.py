import pytest

from crawler.registry import RegistryError, load_registry, site_for_host


def test_registry_loads_and_knows_the_seed_sites():
    sites = load_registry()
    assert {"vinhphuc", "sonla", "sonla_legacy", "phutho", "quangninh"} <= set(sites)
    assert sites["vinhphuc"].province_current == "Phú Thọ"
    assert site_for_host("SOKHCN.PHUTHO.GOV.VN").slug == "phutho"
    assert site_for_host("example.com") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('slug = "a"\nname = "A"\nprovince = ""\nprovince_current = ""\ndomains = []',
         "no domains"),
        ('slug = "a"\nname = "A"\nprovince = ""\nprovince_current = ""\ndomains = ["a.vn"]\n'
         'status = "sleeping"', "status"),
        ('slug = "a"\nname = "A"\ndomains = ["a.vn"]', "province"),
        ('slug = "a"\nname = "A"\nprovince = ""\nprovince_current = ""\ndomains = ["a.vn"]\n'
         'colour = "red"', "colour"),
    ],
)
def test_bad_entries_are_errors_naming_the_entry(tmp_path, entry, message):
    path = tmp_path / "sites.toml"
    path.write_text(f"[[site]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_a_domain_belongs_to_one_site(tmp_path):
    path = tmp_path / "sites.toml"
    one = 'name = "A"\nprovince = ""\nprovince_current = ""\ndomains = ["a.vn"]'
    path.write_text(f'[[site]]\nslug = "a"\n{one}\n[[site]]\nslug = "b"\n{one}\n')
    with pytest.raises(RegistryError, match="already belongs to a"):
        load_registry(path)
