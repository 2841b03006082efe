// The "add" dialogs of the payments area (beneficiary, payable, recurring payment): a button that
// opens a form in a modal, and the create request behind it. One Idempotency-Key per opened form:
// a retried submit of the same form creates one thing; opening the form again starts a new one.
import { useMutation } from '@tanstack/react-query';
import { Button, Modal, type FormInstance } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { idempotencyKey } from '../../api/client';

export function useCreateDialog<V, R>(
  create: (values: V, key: string) => Promise<R>,
  onCreated: (created: R) => void | Promise<void>,
) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(idempotencyKey);
  const mutation = useMutation({
    mutationFn: (values: V) => create(values, key),
    onSuccess: async (created) => {
      setOpen(false);
      await onCreated(created);
    },
  });
  const show = () => {
    mutation.reset();
    setKey(idempotencyKey());
    setOpen(true);
  };
  return { open, close: () => setOpen(false), show, mutation };
}

export function CreateDialog(props: {
  dialog: { open: boolean; close: () => void; show: () => void; mutation: { isPending: boolean } };
  form: FormInstance;
  button: string;
  title: string;
  okText: string;
  width: number;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { dialog } = props;
  return (
    <>
      <Button type="primary" onClick={dialog.show}>
        {props.button}
      </Button>
      <Modal
        open={dialog.open}
        title={props.title}
        okText={props.okText}
        cancelText={t('common:actions.cancel')}
        confirmLoading={dialog.mutation.isPending}
        onOk={() => props.form.submit()}
        onCancel={dialog.close}
        destroyOnClose
        width={props.width}
      >
        {props.children}
      </Modal>
    </>
  );
}
