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


def test_97_departments_with_consistent_lineage():
    from crawler.registry import load_dosts

    dosts = load_dosts()
    assert sum(d.era == "pre2025" for d in dosts.values()) == 63
    assert sum(d.era == "post2025" for d in dosts.values()) == 34
    assert dosts["vinhphuc_pre2025"].successor == "phutho"
    assert dosts["hochiminh"].predecessors == ("binhduong_pre2025", "bariavungtau_pre2025",
                                               "hochiminh_pre2025")
    # every pre-2025 department ends up in exactly one post-2025 department
    merged = [p for d in dosts.values() if d.era == "post2025" for p in d.predecessors]
    assert sorted(merged) == sorted(s for s, d in dosts.items() if d.era == "pre2025")


def _dost(slug, era, province, current, **extra):
    lines = [f'slug = "{slug}"', f'name = "Sở {province}"', f'era = "{era}"',
             f'province = "{province}"', f'province_current = "{current}"']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "[[dost]]\n" + "\n".join(lines) + "\n"


def test_broken_lineage_is_an_error(tmp_path):
    from crawler.registry import REGISTRY_FILE, load_dosts

    path = tmp_path / "dosts.toml"
    path.write_text(_dost("a", "post2025", "A", "A", predecessors='["b_pre2025"]')
                    + _dost("b_pre2025", "pre2025", "B", "A", successor='"nowhere"'))
    with pytest.raises(RegistryError):
        load_dosts(path, REGISTRY_FILE)


def test_unknown_website_is_an_error(tmp_path):
    from crawler.registry import REGISTRY_FILE, load_dosts

    path = tmp_path / "dosts.toml"
    path.write_text(_dost("a", "post2025", "A", "A", sites='["no_such_site"]'))
    with pytest.raises(RegistryError, match="no_such_site"):
        load_dosts(path, REGISTRY_FILE)
