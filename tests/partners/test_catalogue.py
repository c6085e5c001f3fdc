"""The service catalogue a window reads the national files with: 35 codes, their official names and
the seven categories that filters and matching use."""

from partners import catalogue


def test_the_catalogue_has_the_35_service_codes_of_the_national_files_each_once():
    codes = [s.code for s in catalogue.SERVICES]
    assert len(codes) == 35
    assert len(set(codes)) == 35
    assert catalogue.service_name("110") == "訪問介護"
    assert catalogue.service_name("780") == "地域密着型通所介護"
    assert catalogue.service_name("550") == "介護医療院"
    assert catalogue.service_name("331") == "特定施設入居者生活介護（有料老人ホーム）"


def test_every_service_sits_in_one_of_the_seven_categories():
    labels = [label for _key, label in catalogue.category_choices()]
    assert labels == [
        "訪問系",
        "通所系",
        "短期入所系",
        "居住系",
        "施設系",
        "地域密着型",
        "居宅介護支援",
    ]
    assert {s.category for s in catalogue.SERVICES} == {key for key, _ in catalogue.CATEGORIES}
    assert catalogue.category_label("150") == "通所系"
    assert catalogue.category_label("430") == "居宅介護支援"


def test_names_are_found_in_the_form_the_importer_stores_them():
    # The importer keeps NFKC text, where full-width brackets become half-width ones.
    assert catalogue.code_of("特定施設入居者生活介護(有料老人ホーム)") == "331"
    assert catalogue.code_of("複合型サービス") == "770"
    assert catalogue.code_of("存在しないサービス") is None


def test_the_import_check_says_why_a_row_does_not_fit_its_file():
    assert catalogue.check_service(code="110", name="訪問介護") is None
    assert "一致しません" in catalogue.check_service(code="110", name="通所介護")
    assert "ありません" in catalogue.check_service(code="999", name="訪問介護")
    assert catalogue.check_service(code=None, name="介護医療院") is None
    assert "ありません" in catalogue.check_service(code=None, name="架空のサービス")


def test_complementary_services_are_those_of_a_category_that_completes_ones_own():
    own = {"訪問介護"}
    other = {"通所介護", "訪問看護", "介護老人保健施設"}
    # Day care completes home care; another visiting service does not; a facility is not listed for it.
    assert catalogue.complementary(own, other) == ["通所介護"]
    assert catalogue.complementary({"居宅介護支援"}, {"訪問介護"}) == ["訪問介護"]
    assert catalogue.complementary(own, own) == []


def test_the_service_choices_are_grouped_by_category_in_catalogue_order():
    groups = catalogue.service_choices()
    assert [label for label, _ in groups][0] == "訪問系"
    assert sum(len(options) for _label, options in groups) == 35
